"""Issuing and revoking through the certification centre while keeping `IssuedCertificate` in step."""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from qyzmet.identity import numbers

from .ca import CertificationCentre, Issued, PKIError, reason_of, serial_hex, subject_numbers
from .models import IssuedCertificate


def check_numbers(iin: str, bin: str | None = None) -> None:  # noqa: A002 - the domain's word
    """PKIError naming the problem when the IIN or BIN is not a valid one."""
    problem = numbers.iin_problem(iin)
    if problem:
        raise PKIError(f"invalid IIN {iin}: {problem}")
    if bin:
        problem = numbers.bin_problem(bin)
        if problem:
            raise PKIError(f"invalid BIN {bin}: {problem}")


def issue(ca: CertificationCentre | None = None, **kwargs) -> tuple[Issued, IssuedCertificate]:
    """Issue a key file (arguments as `CertificationCentre.issue`) and record it."""
    check_numbers(kwargs["iin"], kwargs.get("bin"))
    ca = ca or CertificationCentre.default()
    issued = ca.issue(**kwargs)
    cert = issued.certificate
    iin, bin_ = subject_numbers(cert)
    organisation = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    record = IssuedCertificate.objects.create(
        serial=issued.serial,
        iin=iin or "",
        bin=bin_ or "",
        name=str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value),
        organisation=str(organisation[0].value) if organisation else "",
        purpose=issued.purpose,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        issued_at=dt.datetime.now(dt.UTC),
        certificate=cert.public_bytes(serialization.Encoding.PEM).decode(),
        p12_sha256=hashlib.sha256(issued.p12).hexdigest(),
    )
    return issued, record


def find_by_p12(data: bytes) -> IssuedCertificate:
    """The record of a key file, found by the file's digest (no password needed)."""
    record = IssuedCertificate.objects.filter(p12_sha256=hashlib.sha256(data).hexdigest()).first()
    if record is None:
        raise PKIError("this key file is not in the register; give its --password to read the certificate")
    return record


def revoke(
    serial: int | str,
    reason: x509.ReasonFlags = x509.ReasonFlags.unspecified,
    ca: CertificationCentre | None = None,
) -> tuple[x509.CertificateRevocationList, IssuedCertificate | None]:
    """Revoke on the CA (publishing a new CRL) and mark the record, if the register has it."""
    ca = ca or CertificationCentre.default()
    number = int(serial, 16) if isinstance(serial, str) else serial
    crl = ca.revoke(number, reason)
    when, why = reason_of(crl, number)
    record = IssuedCertificate.objects.filter(serial=serial_hex(number)).first()
    if record is not None and record.revoked_at is None:
        record.revoked_at, record.reason = when, why
        record.save(update_fields=["revoked_at", "reason"])
    return crl, record
