"""Verifying signed requests, EDS log-ins and documents, and the refusal the regulation prescribes.

All three are detached CMS signatures (cms.py): the one verifier reads the signature and its
signer's certificate, and checks it over the exact bytes (a request's canonical form, the
log-in challenge, a document's file).

What is checked is what the regulations' `check: eds` conditions describe (the certificate's
validity period, that it is not in the revocation list, the IIN/BIN of the request equal to the
certificate's) plus what makes those checks mean anything: the signature itself, the chain to
the trusted root, and that the key is the signing key (EDS Law 2003 Art. 10: the use must match
the certificate; an authentication key signs log-ins only).

The checks run in a fixed order and the first failure is the reason given: malformed,
untrusted, bad_signature, wrong_key_usage, not_yet_valid / expired, revoked, iin_mismatch /
bin_mismatch. The certificate is checked at the signing time the signature carries (a signed
attribute, but the signer's clock: a time in the future is refused) and at the moment of
verification.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa

from qyzmet.i18n import in_language
from qyzmet.identity import numbers

from .ca import (
    AUTH,
    KEY_SIZE,
    SIGN,
    CertificationCentre,
    PKIError,
    Trust,
    purpose_of,
    reason_of,
    serial_hex,
    subject_numbers,
)
from .cms import Signed, read_detached
from .signing import canonical

# A signer's clock may run a little ahead of ours; more than this and signed_at is not believed.
CLOCK_SKEW = dt.timedelta(minutes=5)


class Reason(StrEnum):
    MALFORMED = "malformed"
    UNTRUSTED = "untrusted"
    BAD_SIGNATURE = "bad_signature"
    WRONG_KEY_USAGE = "wrong_key_usage"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    IIN_MISMATCH = "iin_mismatch"
    BIN_MISMATCH = "bin_mismatch"


@dataclass(frozen=True)
class Verification:
    """The outcome: `valid`, and on failure a machine `reason` and a human `detail` (English)."""

    valid: bool
    reason: Reason | None = None
    detail: str = ""
    request: dict | None = None
    certificate: x509.Certificate | None = field(default=None, repr=False)
    iin: str | None = None  # as the certificate names them
    bin: str | None = None
    signed_at: dt.datetime | None = None  # the signing time the signature carries

    def __bool__(self) -> bool:
        return self.valid

    def refusal_message(self, language: str = "en") -> str | None:
        """The regulation's refusal message for this failure (None when valid)."""
        if self.valid:
            return None
        return refusal_message(self.request, language)


class _Refused(Exception):
    def __init__(self, reason: Reason, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _b64(value, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise _Refused(Reason.MALFORMED, f"{what} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _Refused(Reason.MALFORMED, f"{what} is not valid base64") from None


def _parse_signature(value) -> Signed:
    """The CMS signature (DER bytes, or base64 text as an envelope carries it), read."""
    der = value if isinstance(value, bytes) else _b64(value, "the signature")
    try:
        signed = read_detached(der)
    except PKIError as exc:
        raise _Refused(Reason.MALFORMED, str(exc)) from None
    key = signed.certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < KEY_SIZE:
        raise _Refused(Reason.MALFORMED, f"the certificate's key is not RSA of at least {KEY_SIZE} bits")
    return signed


def _check_chain(certificate: x509.Certificate, trust: Trust, now: dt.datetime) -> None:
    """The certificate was issued by the issuing CA, which was issued by the trusted root."""
    issuing, root = trust.issuing, trust.root
    try:
        ca = issuing.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        issuing.verify_directly_issued_by(root)
        certificate.verify_directly_issued_by(issuing)
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        raise _Refused(
            Reason.UNTRUSTED,
            f"the certificate issued by {certificate.issuer.rfc4514_string()} does not chain to the trusted root",
        ) from None
    if not ca:
        raise _Refused(Reason.UNTRUSTED, "the issuing certificate is not a CA")
    for cert in (root, issuing):
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise _Refused(
                Reason.UNTRUSTED, f"CA certificate {cert.subject.rfc4514_string()} is out of its validity"
            )


def _check_signature(signed: Signed, data: bytes) -> None:
    if not signed.covers(data):
        raise _Refused(
            Reason.BAD_SIGNATURE,
            "the signature does not match the request (altered after signing, or another key)",
        ) from None


def _check_usage(certificate: x509.Certificate, wanted: str) -> None:
    found = purpose_of(certificate)
    if found == wanted:
        return
    names = {
        AUTH: "an authentication key",
        SIGN: "a signing key",
        None: "neither a signing nor an authentication key",
    }
    raise _Refused(Reason.WRONG_KEY_USAGE, f"the certificate is {names[found]}; {names[wanted]} is required")


def _check_validity(certificate: x509.Certificate, signed_at: dt.datetime, now: dt.datetime) -> None:
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    for moment, what in ((signed_at, "when signed"), (now, "now")):
        if moment < start:
            raise _Refused(
                Reason.NOT_YET_VALID,
                f"the certificate is valid from {start.isoformat()}, not {what} ({moment.isoformat()})",
            )
        if moment > end:
            raise _Refused(
                Reason.EXPIRED, f"the certificate expired on {end.isoformat()} ({what}: {moment.isoformat()})"
            )


def _check_revocation(certificate: x509.Certificate, trust: Trust) -> None:
    crl = trust.crl
    # Without a CRL signed by the issuing CA nothing can be said about revocation, and the
    # regulations require that check, so the certificate is not trusted.
    if (
        crl is None
        or crl.issuer != trust.issuing.subject
        or not crl.is_signature_valid(trust.issuing.public_key())
    ):
        raise _Refused(Reason.UNTRUSTED, "no revocation list signed by the issuing CA")
    # next_update is not enforced: the test centre publishes a CRL only when it revokes.
    # The revocation date is not compared with signed_at either: the regulations refuse a
    # certificate that is on the list when the portal checks, and signed_at is only a claim.
    revoked = reason_of(crl, certificate.serial_number)
    if revoked:
        when, why = revoked
        raise _Refused(
            Reason.REVOKED,
            f"certificate {serial_hex(certificate.serial_number)} was revoked on {when.isoformat()} ({why})",
        )


def _check_request(request) -> None:
    if not isinstance(request, dict):
        raise _Refused(Reason.MALFORMED, "the request is not a JSON object")
    iin = request.get("iin")
    if not isinstance(iin, str) or numbers.iin_problem(iin):
        raise _Refused(Reason.MALFORMED, f"the request's IIN {iin!r} is not valid")
    bin_ = request.get("bin")
    if bin_ is not None and (not isinstance(bin_, str) or numbers.bin_problem(bin_)):
        raise _Refused(Reason.MALFORMED, f"the request's BIN {bin_!r} is not valid")


def _check_identity(certificate: x509.Certificate, iin: str | None, bin_: str | None) -> None:
    cert_iin, cert_bin = subject_numbers(certificate)
    if iin is not None and cert_iin != iin:
        raise _Refused(
            Reason.IIN_MISMATCH, f"the request is for IIN {iin}, the certificate is of IIN {cert_iin}"
        )
    # An employee's certificate acts for its legal entity, so it cannot sign an individual's
    # request, and an individual's certificate cannot sign for an entity.
    if bin_ != cert_bin:
        raise _Refused(
            Reason.BIN_MISMATCH,
            f"the request is for {f'BIN {bin_}' if bin_ else 'an individual'}, "
            f"the certificate is {f'of BIN {cert_bin}' if cert_bin else 'an individual one'}",
        )


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        raise ValueError("`at` needs a time zone")
    return at.astimezone(dt.UTC)


def _verified(signature, data: bytes, trust: Trust | None, at: dt.datetime | None, purpose: str) -> Signed:
    """The signature read and checked over `data`, in the order of the module's docstring."""
    signed = _parse_signature(signature)
    now = _now(at)
    if signed.signed_at > now + CLOCK_SKEW:
        raise _Refused(Reason.MALFORMED, f"the signing time {signed.signed_at.isoformat()} is in the future")
    trust = trust or CertificationCentre.default().trust()
    _check_chain(signed.certificate, trust, now)
    _check_signature(signed, data)
    _check_usage(signed.certificate, purpose)
    _check_validity(signed.certificate, signed.signed_at, now)
    _check_revocation(signed.certificate, trust)
    return signed


def verify_signature(
    data: bytes, signature, trust: Trust | None = None, at: dt.datetime | None = None, purpose: str = SIGN
) -> Verification:
    """Verify a detached CMS signature (DER bytes or base64 text) over `data`: a document's, or
    any signed bytes. The checks of a request's but the IIN/BIN, which only a request names."""
    try:
        signed = _verified(signature, data, trust, at, purpose)
    except _Refused as refused:
        return Verification(False, refused.reason, refused.detail)
    iin, bin_ = subject_numbers(signed.certificate)
    return Verification(True, certificate=signed.certificate, iin=iin, bin=bin_, signed_at=signed.signed_at)


def verify_signed_request(
    envelope, trust: Trust | None = None, at: dt.datetime | None = None
) -> Verification:
    """Verify a signed envelope (a dict, as parsed from JSON) against `trust` at moment `at`.

    `trust` defaults to the platform's certification centre, `at` to now. The CMS signature
    must be over exactly `canonical(request)`.
    """
    request = envelope.get("request") if isinstance(envelope, dict) else None
    certificate = None
    try:
        if not isinstance(envelope, dict) or set(envelope) != {"request", "signature"}:
            raise _Refused(
                Reason.MALFORMED, "a signed request is an object with `request` and `signature` only"
            )
        _check_request(request)
        signed = _verified(envelope["signature"], canonical(request), trust, at, SIGN)
        certificate = signed.certificate
        _check_identity(certificate, request["iin"], request.get("bin"))
    except _Refused as refused:
        return Verification(
            False, refused.reason, refused.detail, request if isinstance(request, dict) else None, certificate
        )
    iin, bin_ = subject_numbers(certificate)
    return Verification(
        True, request=request, certificate=certificate, iin=iin, bin=bin_, signed_at=signed.signed_at
    )


def verify_signed_by(
    data: bytes,
    signature,
    iin: str,
    bin_: str | None,
    trust: Trust | None = None,
    at: dt.datetime | None = None,
) -> Verification:
    """Verify a signature over `data` that must be made by one known person: the signing key of
    IIN `iin` (an employee key of BIN `bin_`, when given), as an official signs a result.

    The checks of `verify_signature`, then the certificate's IIN and BIN against the ones given:
    another person's certificate is IIN_MISMATCH (or BIN_MISMATCH for another organisation's)."""
    certificate = None
    try:
        if not iin:
            raise _Refused(Reason.IIN_MISMATCH, "no IIN is recorded for the signer")
        signed = _verified(signature, data, trust, at, SIGN)
        certificate = signed.certificate
        cert_iin, cert_bin = subject_numbers(certificate)
        if cert_iin != iin:
            raise _Refused(
                Reason.IIN_MISMATCH, f"the signer is IIN {iin}, the certificate is of IIN {cert_iin}"
            )
        if bin_ and cert_bin != bin_:
            raise _Refused(
                Reason.BIN_MISMATCH,
                f"the signer acts for BIN {bin_}, the certificate is {f'of BIN {cert_bin}' if cert_bin else 'an individual one'}",
            )
    except _Refused as refused:
        return Verification(False, refused.reason, refused.detail, certificate=certificate)
    return Verification(True, certificate=certificate, iin=cert_iin, bin=cert_bin, signed_at=signed.signed_at)


def verify_auth_challenge(
    challenge: bytes,
    signature,
    trust: Trust | None = None,
    at: dt.datetime | None = None,
) -> Verification:
    """Verify an EDS log-in: `signature` (a CMS signature, base64) over `challenge`.

    Only an authentication key is accepted. On success `iin` and `bin` are the ones the
    certificate names: who is logging in. The caller makes the challenge (random, single use,
    short-lived); replay protection is its business, not this function's.
    """
    certificate = None
    try:
        if not isinstance(challenge, bytes) or not challenge:
            raise _Refused(Reason.MALFORMED, "the challenge must be non-empty bytes")
        signed = _verified(signature, challenge, trust, at, AUTH)
        certificate = signed.certificate
        iin, bin_ = subject_numbers(certificate)
        if iin is None or numbers.iin_problem(iin):
            raise _Refused(Reason.MALFORMED, "the certificate names no valid IIN")
    except _Refused as refused:
        return Verification(False, refused.reason, refused.detail, certificate=certificate)
    return Verification(True, certificate=certificate, iin=iin, bin=bin_, signed_at=signed.signed_at)


# -- the refusal the regulation prescribes --------------------------------------------------

GENERIC_REFUSAL = {
    "kk": "ЭЦҚ расталмауына байланысты сұратудан бас тартылды",
    "ru": "Отказ в связи с неподтверждением ЭЦП",
    "en": "The request is refused because the EDS is not confirmed",
}
_FAILING_BRANCHES = ("no", "invalid", "refuse", "fail")


def _refusal_step(regulation):
    """The refusal step on the failing branch of the regulation's first `check: eds` condition."""
    for channel in regulation.channels:
        for step in channel.steps:
            if step.check != "eds":
                continue
            branches = sorted(
                step.branches, key=lambda b: (b.when not in _FAILING_BRANCHES, step.branches.index(b))
            )
            for branch in branches:
                # Follow plain `next` links (no branch is taken): a regulation may form the message a step later.
                *_, (target, _outcome) = channel.walk(lambda step: None, start=branch.to)
                if target.end == "refusal" and target.message:
                    return target
            return None
    return None


def refusal_message(request: dict | None, language: str = "en") -> str:
    """The refusal message of the regulation the request names (`regulation`, else `service`).

    Falls back to a generic message when the request names no regulation, names one not in
    the catalogue, or one without an EDS check.
    """
    if language not in GENERIC_REFUSAL:
        raise ValueError(f"language must be one of {sorted(GENERIC_REFUSAL)}")
    request = request if isinstance(request, dict) else {}
    regulation = _regulation_for(request.get("regulation"), request.get("service"))
    step = _refusal_step(regulation) if regulation is not None else None
    if step is None:
        return GENERIC_REFUSAL[language]
    return in_language(step.message, language)


def _regulation_for(regulation_id, service):
    from qyzmet.regulations.loader import catalogue

    regulations = catalogue()
    if isinstance(regulation_id, str) and regulation_id in regulations:
        return regulations[regulation_id]
    if isinstance(service, str):
        # A service code alone: the first regulation of that service that checks the EDS.
        for regulation in regulations.values():
            if regulation.service == service and _refusal_step(regulation) is not None:
                return regulation
    return None
