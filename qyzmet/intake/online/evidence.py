"""Verifying a filed application's signed request again, from what the intake kept.

The ledger keeps the whole envelope (the request and its CMS signature, which carries the
signer's certificate and signing time), so anyone with the database can check later, without
the applicant, that the application was filed on a request its applicant signed, and that the
request names what was filed: the applicant, service, variant, provider and the SHA-256 of each
document. The certificate is checked as at the filing moment (it may have expired since)
against the certification centre's chain and current revocation list. `export` writes the
signed bytes and the CMS signature as files, for any CMS tool:
`openssl cms -verify -binary -inform DER -in request.p7s -content request.json -CAfile ca.pem`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qyzmet.engine.models import Application
from qyzmet.pki.ca import serial_hex
from qyzmet.pki.signing import canonical
from qyzmet.pki.verify import verify_signed_request

from .models import Submission
from .submissions import Rejected, signature_der, signature_key


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


class NoEvidence(LookupError):
    """No application of that number, or none filed on a kept signed request."""


def _kept(number: str) -> tuple[Application, Submission]:
    app = Application.objects.select_related("provider").filter(number=number).first()
    if app is None:
        raise NoEvidence(f"no application {number}")
    kept = Submission.objects.filter(application=app, status=Submission.FILED).exclude(envelope=None).first()
    if kept is None:
        raise NoEvidence(
            f"application {number} was not filed on a kept signed request (paper, or before it was kept)"
        )
    return app, kept


def export(number: str, directory: str | Path) -> tuple[Path, Path]:
    """Write the signed bytes (request.json) and the CMS signature (request.p7s, DER) of the
    request application `number` was filed on into `directory`."""
    _app, kept = _kept(number)
    try:
        der = signature_der(kept.envelope)
    except Rejected as exc:
        raise NoEvidence(f"application {number}: the kept signature is unreadable ({exc.message})") from None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    content, signature = directory / "request.json", directory / "request.p7s"
    content.write_bytes(canonical(kept.envelope["request"]))
    signature.write_bytes(der)
    return content, signature


def verify_application(number: str) -> list[Check]:
    app, kept = _kept(number)
    envelope = kept.envelope
    # As at its receipt (the real moment the server verified it; `filed_at` may be a demo day).
    verification = verify_signed_request(envelope, at=kept.created_at)
    signed = envelope.get("request") or {}
    try:
        key = signature_key(envelope)
    except Rejected as exc:
        key = exc.message
    named = sorted(str(d.get("sha256", "")) for d in signed.get("documents", []) if isinstance(d, dict))
    filed = sorted(d.get("sha256", "") for d in app.data.get("documents", []))
    applicant = signed.get("bin") or signed.get("iin")
    checks = [
        Check(
            "signature",
            verification.valid,
            (
                f"CMS valid as at filing: signed by {verification.certificate.subject.rfc4514_string()} "
                f"(certificate {serial_hex(verification.certificate.serial_number)}) "
                f"at {verification.signed_at.isoformat()}"
            )
            if verification.valid
            else f"{verification.reason}: {verification.detail}",
        ),
        Check("kept envelope", key == kept.signature_sha256 == app.data.get("signature_sha256"), key),
        Check("applicant", applicant == app.applicant, f"signed {applicant}, filed {app.applicant}"),
    ]
    for name, filed_value in (
        ("service", app.service),
        ("variant", app.variant),
        ("provider", app.provider.code),
    ):
        checks.append(
            Check(name, signed.get(name) == filed_value, f"signed {signed.get(name)}, filed {filed_value}")
        )
    checks.append(
        Check(
            "documents", named == filed, f"signed {', '.join(named) or '-'}; filed {', '.join(filed) or '-'}"
        )
    )
    return checks
