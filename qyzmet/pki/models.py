"""The register of key files the test certification centre has issued, and their revocation.

The CA directory (ca.py) is what verification trusts; this table is for people and queries:
who holds which key, for what, until when, and whether and why it was revoked.
"""

from __future__ import annotations

from django.db import models


class IssuedCertificate(models.Model):
    class Purpose(models.TextChoices):
        AUTH = "auth", "authentication"
        SIGN = "sign", "signing"

    serial = models.CharField(max_length=40, unique=True)  # hex, as openssl prints it
    iin = models.CharField(max_length=12, db_index=True)
    bin = models.CharField(max_length=12, blank=True, db_index=True)
    name = models.CharField(max_length=200)
    # The full name, as in the certificate: legal entities' names have no length limit of their own.
    organisation = models.TextField(blank=True)
    purpose = models.CharField(max_length=4, choices=Purpose.choices)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=40, blank=True)  # a CRL reason name (RFC 5280 5.3.1)
    certificate = models.TextField()  # PEM
    # SHA-256 of the PKCS#12 file as issued: lets `pki revoke FILE.p12` find the certificate
    # without the password that encrypts it.
    p12_sha256 = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        who = f"IIN{self.iin}" + (f" BIN{self.bin}" if self.bin else "")
        return f"{self.purpose} {self.serial} {who}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
