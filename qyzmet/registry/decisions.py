"""An official signs a result or refusal with their own EDS, in the browser, before it is issued.

A step the regulation marks `signs` (the head signs the certificate, the reasoned refusal, the
order) is completed in the back office only with the signature of the official completing it.
What is signed is the machine form of the decision (`machine_form`): canonical JSON naming the
application, the applicant, the regulation, variant and provider, the step, its outcome, the
result or the refusal's grounds and explanation, and the documents the application carried (by
SHA-256). The page shows it as a document (`regulations.preview`) and hands the browser the
exact text; the browser signs it with the official's key file (the portal's sign.js, node-forge)
and posts the envelope {"request": <the machine form>, "signature": <base64 CMS>}.

`sign_decision` checks that the text signed is the decision as it stands now, verifies the
signature with the one verifier (pki.verify: trusted test CA, signing key, valid and not revoked,
the certificate of that official: their IIN, an employee key of the provider's BIN), keeps it
(`OfficialSignature`) and completes the step in one transaction. The result or refusal document
issued afterwards by the one pipeline (`documents._issue`) keeps the signature with it.
"""

from __future__ import annotations

import base64

from cryptography.x509.oid import NameOID
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from qyzmet import clock
from qyzmet.engine import services
from qyzmet.engine.models import StepRun
from qyzmet.pki.ca import serial_hex
from qyzmet.pki.faults import SIGNATURE_MISMATCH, SIGNATURE_UNREADABLE, Fault, official_fault
from qyzmet.pki.signing import canonical
from qyzmet.pki.verify import verify_signed_by
from qyzmet.providers.models import iin_of

from .keys import provider_bin
from .models import OfficialSignature

NO_IIN_RECORDED = "no_iin_recorded"


class NotSigned(Exception):
    """The decision was not signed as it must be: `fault` says what is wrong and what to do."""

    def __init__(self, fault: Fault):
        super().__init__(str(fault.message))
        self.fault = fault


def signs(run: StepRun, reg=None) -> bool:
    """Whether the regulation has the official sign at this step."""
    reg = reg or run.application.regulation.parsed
    step = reg.step(run.flow, run.step_id)
    return bool(step and step.signs)


def machine_form(run: StepRun, outcome: str, reg=None) -> dict:
    """The decision as signed: only strings, integers, lists and objects (the same bytes in the
    browser and here). Nothing in it changes between showing the page and posting the signature
    unless the application itself changed."""
    app = run.application
    reg = reg or app.regulation.parsed
    step = reg.step(run.flow, run.step_id)
    act = {"result": "result", "refusal": "refusal"}.get(step.end or "", "step")
    data = app.data or {}
    form = {
        "act": act,
        "application": app.number,
        "applicant": app.applicant,
        "applicant_name": app.applicant_name,
        "regulation": reg.id,
        "variant": app.variant,
        "provider": app.provider.code,
        "step": run.step_id,
        "run": run.pk,
        "outcome": outcome,
        "result": step.result or "",
        "subtypes": [str(s) for s in data.get("subtypes") or []],
        "address": str(data.get("address") or ""),
        "documents": [
            {"name": str(d.get("name", "")), "sha256": str(d.get("sha256", ""))}
            if isinstance(d, dict)
            else {"name": str(d), "sha256": ""}
            for d in data.get("documents") or []
        ],
    }
    if act == "refusal":
        form["grounds"] = list(app.refusal_grounds or [])
        form["refusal_text"] = app.refusal_text or ""
    return form


def signed_text(run: StepRun, outcome: str, reg=None) -> str:
    """The exact text the official's key signs (UTF-8 of the canonical JSON)."""
    return canonical(machine_form(run, outcome, reg)).decode()


def sign_decision(run: StepRun, user, outcome: str, envelope, *, note: str = "") -> OfficialSignature:
    """Verify the official's signature over the decision and complete the step with it.

    Raises `NotSigned` (nothing changed) when the envelope is missing or unreadable, signs other
    text than the decision as it stands, or the signature fails the verifier; the engine's own
    errors (`services.EngineError`) when the step cannot be completed (nothing is kept then)."""
    if not isinstance(envelope, dict) or not envelope.get("signature"):
        raise NotSigned(official_fault(None if not envelope else SIGNATURE_UNREADABLE))
    if set(envelope) != {"request", "signature"}:
        raise NotSigned(official_fault(SIGNATURE_UNREADABLE))
    expected = canonical(machine_form(run, outcome))
    if not isinstance(envelope["request"], dict) or canonical(envelope["request"]) != expected:
        raise NotSigned(official_fault(SIGNATURE_MISMATCH))
    iin = iin_of(user)
    if not iin:
        raise NotSigned(
            Fault(
                NO_IIN_RECORDED,
                _(
                    "No IIN is recorded for your account, so your signature cannot be matched to "
                    "you. Ask the administrator to record your IIN, then sign again."
                ),
            )
        )
    provider = run.application.provider
    result = verify_signed_by(expected, envelope["signature"], iin, provider_bin(provider))
    if not result:
        raise NotSigned(official_fault(result.reason))
    certificate = result.certificate
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    with transaction.atomic():
        kept = OfficialSignature.objects.create(
            application=run.application,
            step_run=run,
            signed_by=user,
            content=expected,
            signature=base64.b64decode(envelope["signature"]),
            signer_iin=result.iin or "",
            signer_bin=result.bin or "",
            signer_name=str(names[0].value) if names else "",
            certificate_serial=serial_hex(certificate.serial_number),
            signed_at=result.signed_at,
            verified_at=clock.now(),
        )
        services.complete_step(run.pk, user, outcome, note=note)
    return kept


def signature_of_step(run: StepRun) -> OfficialSignature | None:
    return OfficialSignature.objects.filter(step_run=run).first()
