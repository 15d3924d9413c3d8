"""Each provider's signing key: issued by the certification centre, kept encrypted, loaded to sign.

Documents of the register (permits, refusals, receipts) and the payloads of their QR codes are
signed with the provider's key, an employee signing certificate naming the provider's BIN, as a
provider's official signs with an NUC RK key. The provider model has no BIN of its own, so the
first key gives the provider a valid demo BIN, kept with the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from qyzmet.i18n import in_language
from qyzmet.identity import numbers
from qyzmet.pki.ca import SIGN, CertificationCentre, load_p12, subject_numbers
from qyzmet.providers.models import Provider

from .models import ProviderKey


def key_password(provider_code: str) -> str:
    """The password of a provider's key file: derived from SECRET_KEY, never stored."""
    from django.conf import settings

    return hmac.new(
        settings.SECRET_KEY.encode(), f"registry-key:{provider_code}".encode(), hashlib.sha256
    ).hexdigest()


def _demo_numbers(provider_code: str) -> tuple[str, str]:
    """A stable demo BIN for the provider and IIN for its signing official."""
    rng = random.Random(provider_code)  # noqa: S311 - demo identity numbers, not secrets
    return numbers.generate_bin(rng=rng), numbers.generate_iin(rng=rng)


@dataclass(frozen=True)
class Signer:
    """A provider's key ready to sign: the private key, its certificate and the issuing CA."""

    record: ProviderKey
    private_key: object
    certificate: x509.Certificate

    @property
    def serial(self) -> str:
        return self.record.serial


# The platform's own key (no provider): it signs the chain heads the platform publishes.
PLATFORM = "qyzmet-platform"


def install_key(
    provider: Provider | None,
    p12: bytes,
    now: dt.datetime | None = None,
    certificate: x509.Certificate | None = None,
) -> ProviderKey:
    """Keep a key file issued for `provider`, or for the platform when None (its password must be
    `key_password` of the provider's code, or of PLATFORM). `certificate`, when the caller has just
    issued the file, spares opening it (a key derivation of 20,000 rounds) only to read it back."""
    if certificate is None:
        _, certificate = load_p12(p12, key_password(provider.code if provider else PLATFORM))
    _, bin_ = subject_numbers(certificate)
    return ProviderKey.objects.create(
        provider=provider,
        bin=bin_ or "",
        serial=f"{certificate.serial_number:X}",
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        p12=p12,
        not_after=certificate.not_valid_after_utc,
        created_at=now or dt.datetime.now(dt.UTC),
    )


def issue_key(provider: Provider, ca: CertificationCentre | None = None) -> ProviderKey:
    """Have the certification centre issue the provider a signing key file, and keep it."""
    from qyzmet.pki import registry as pki_registry

    bin_, official = _demo_numbers(provider.code)
    issued, _ = pki_registry.issue(
        ca,
        iin=official,
        bin=bin_,
        # The demo key's holder is the provider's signing official, named by role in Kazakh and
        # Russian (a real key names the person); the organisation's full name is the O below.
        name="Лауазымды тұлға / Должностное лицо",
        # The full legal name, never cut mid-word: X.520's 64-character bound for O
        # (ub-organization-name) is not enforced by cryptography, OpenSSL or asn1crypto when
        # reading, and a cut name misnames the signer of a legal document.
        organisation=in_language(provider.name, "ru") or provider.code,
        purpose=SIGN,
        password=key_password(provider.code),
    )
    _remember(issued.p12, issued.private_key, issued.certificate)
    return install_key(provider, issued.p12, certificate=issued.certificate)


def signer_for(provider: Provider, now: dt.datetime | None = None) -> Signer:
    """The provider's newest key that is still valid, issuing one on first use."""
    # Certificates live in real time, not in the platform's shifted clock (see clock.py).
    now = now or dt.datetime.now(dt.UTC)
    record = provider.signing_keys.filter(not_after__gt=now).first()
    if record is None:
        record = issue_key(provider)
    key, certificate = _load(bytes(record.p12), provider.code)
    return Signer(record=record, private_key=key, certificate=certificate)


# Keys opened in this process, by their file's digest. Opening a key file runs its key derivation
# (20,000 rounds, a tenth of a second); once per process is enough, and a key issued here is known
# without opening it at all.
_opened: dict[bytes, tuple] = {}
_OPENED_AT_MOST = 64


def _remember(p12: bytes, key, certificate) -> None:
    if len(_opened) >= _OPENED_AT_MOST:
        _opened.pop(next(iter(_opened)))
    _opened[hashlib.sha256(p12).digest()] = (key, certificate)


def _load(p12: bytes, provider_code: str):
    found = _opened.get(hashlib.sha256(p12).digest())
    if found is None:
        found = load_p12(p12, key_password(provider_code))
        _remember(p12, *found)
    return found


def platform_bin() -> str:
    """The demo BIN the platform's key names (stable: derived like a provider's)."""
    return _demo_numbers(PLATFORM)[0]


def platform_signer(now: dt.datetime | None = None) -> Signer:
    """The platform's newest valid key, issued by the certification centre on first use."""
    from qyzmet.pki import registry as pki_registry

    now = now or dt.datetime.now(dt.UTC)
    record = ProviderKey.objects.filter(provider=None, not_after__gt=now).first()
    if record is None:
        bin_, official = _demo_numbers(PLATFORM)
        issued, _ = pki_registry.issue(
            None,
            iin=official,
            bin=bin_,
            name="QYZMET PLATFORM HEAD SIGNER",
            organisation="Qyzmet",
            purpose=SIGN,
            password=key_password(PLATFORM),
        )
        _remember(issued.p12, issued.private_key, issued.certificate)
        record = install_key(None, issued.p12, certificate=issued.certificate)
    key, certificate = _load(bytes(record.p12), PLATFORM)
    return Signer(record=record, private_key=key, certificate=certificate)


def certificate_of(serial: str) -> tuple[ProviderKey, x509.Certificate] | None:
    """A provider key by its certificate's serial (hex), with the parsed certificate."""
    # A provider's key only: the platform's signs chain heads, not documents.
    record = (
        ProviderKey.objects.select_related("provider")
        .filter(serial=serial.upper(), provider__isnull=False)
        .first()
    )
    if record is None:
        return None
    return record, x509.load_pem_x509_certificate(record.certificate.encode())


def provider_bin(provider: Provider) -> str:
    """The provider's BIN: the one its signing key names (a stable demo BIN before it has one).
    Its officials' employee keys name the same BIN."""
    record = provider.signing_keys.exclude(bin="").order_by("-created_at").first()
    return record.bin if record else _demo_numbers(provider.code)[0]
