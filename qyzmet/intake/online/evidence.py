"""Verifying a filed application's signed request again, from what the intake kept.

The ledger keeps the whole envelope (request, signature value, certificate, signed_at), so
anyone with the database can check later, without the applicant, that the application was
filed on a request its applicant signed, and that the request names what was filed: the
applicant, service, variant, provider and the SHA-256 of each document. The certificate is
checked as at the filing moment (it may have expired since) against the certification
centre's chain and current revocation list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from qyzmet.engine.models import Application
from qyzmet.pki.verify import verify_signed_request

from .models import Submission


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


class NoEvidence(LookupError):
    """No application of that number, or none filed on a kept signed request."""


def verify_application(number: str) -> list[Check]:
    app = Application.objects.select_related("provider").filter(number=number).first()
    if app is None:
        raise NoEvidence(f"no application {number}")
    kept = Submission.objects.filter(application=app, status=Submission.FILED).exclude(envelope=None).first()
    if kept is None:
        raise NoEvidence(
            f"application {number} was not filed on a kept signed request (paper, or before it was kept)"
        )
    envelope = kept.envelope
    # As at its receipt (the real moment the server verified it; `filed_at` may be a demo day).
    verification = verify_signed_request(envelope, at=kept.created_at)
    signed = envelope.get("request") or {}
    key = hashlib.sha256(str((envelope.get("signature") or {}).get("value", "")).encode()).hexdigest()
    named = sorted(str(d.get("sha256", "")) for d in signed.get("documents", []) if isinstance(d, dict))
    filed = sorted(d.get("sha256", "") for d in app.data.get("documents", []))
    applicant = signed.get("bin") or signed.get("iin")
    checks = [
        Check(
            "signature",
            verification.valid,
            "valid as at filing" if verification.valid else f"{verification.reason}: {verification.detail}",
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
