"""A request from draft to application: applicant data from the state database, answers, payment,
the request the applicant signs, and its submission through the regulation's portal channel.

The portal never re-implements the regulation's checks: `submit_signed` hands the signed request
to `engine.channels.submit`, which walks the channel (log-in, state-database record, payment,
EDS) and files, refuses with the regulation's message, or waits. What the portal adds is that
the signed request must be exactly the one made from the draft, and that the same signature
posted twice (a network retry, a double click) gets the first answer instead of a second filing.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import translation

from qyzmet import clock
from qyzmet.engine import channels
from qyzmet.engine.fees import FeeDue, fee_for
from qyzmet.gateway.clients.payments import PAID, PaymentsClient
from qyzmet.gateway.errors import NotFound, Unavailable
from qyzmet.gateway.lookups import look_up

from . import access, offer
from .models import Attachment, Draft, SignedSubmission

FOUND, NOT_FOUND, UNAVAILABLE = "found", "not_found", "unavailable"


class SubmissionRejected(Exception):
    """The posted envelope cannot be taken at all (not JSON, not this draft's request)."""


# Starting and prefilling ----------------------------------------------------------------------


def start(user, row, variant: str) -> Draft:
    channel = offer.portal_channel(row.parsed, variant)
    if channel is None:
        raise ValueError(f"{row.pk} cannot be requested on the portal for {variant}")
    providers = list(offer.providers_for(row))
    return Draft.objects.create(
        user=user,
        regulation=row,
        variant=variant,
        channel=channel,
        provider=providers[0] if len(providers) == 1 else None,
        data={"email": user.email or ""},
    )


def _address_text(address: dict | None) -> str:
    if not address:
        return ""
    street = " ".join(p for p in (address.get("street"), address.get("house")) if p)
    flat = address.get("flat")
    parts = [
        address.get("postcode"),
        address.get("region"),
        address.get("city"),
        street,
        flat and f"кв. {flat}",
    ]
    seen, out = set(), []
    for part in parts:
        if part and part not in seen:
            seen.add(part)
            out.append(part)
    return ", ".join(out)


def _applicant_of(answer: dict) -> dict:
    """The part of a state-database answer that goes into the request (and is shown on the form)."""
    if "bin" in answer:
        head = answer.get("head") or {}
        return {
            "name": answer.get("name", ""),
            "legal_form": answer.get("legal_form", ""),
            "registered": answer.get("registration_date", ""),
            "head_iin": head.get("iin", ""),
            "head_name": head.get("name", ""),
            "address": _address_text(answer.get("address")),
        }
    name = " ".join(
        p for p in (answer.get("surname"), answer.get("first_name"), answer.get("patronymic")) if p
    )
    document = answer.get("document") or {}
    return {
        "name": name,
        "birth_date": answer.get("birth_date", ""),
        "document": " ".join(p for p in (document.get("number"), document.get("issued_by")) if p),
        "address": _address_text(answer.get("address")),
    }


def prefill(draft: Draft, user, signer_iin: str | None = None) -> str:
    """Ask the state database for the applicant's data once; FOUND, NOT_FOUND or UNAVAILABLE.

    Every answer is kept by the gateway as a `DataLookup` with its purpose and the user who
    caused it, so the applicant sees it in the cabinet. An unavailable database is asked again
    on the next visit; "no record" is kept, since asking again would not change it.
    """
    state = draft.data.get("lookup")
    if state in (FOUND, NOT_FOUND):
        return state
    number = user.get_username()
    system = "legal_entities" if access.is_entity(user) else "individuals"
    try:
        lookup = look_up(
            system,
            number,
            purpose=f"{draft.regulation_id}: applicant data for the request form (portal draft {draft.pk})",
            initiated_by=number,
        )
    except NotFound:
        state, applicant = NOT_FOUND, None
    except Unavailable:
        return UNAVAILABLE
    else:
        state, applicant = FOUND, _applicant_of(lookup.answer)
    data = dict(draft.data, lookup=state)
    if applicant:
        data["applicant"] = applicant
        data.setdefault("address", applicant.get("address", ""))
        if system == "legal_entities":
            data["signer_iin"] = signer_iin or applicant.get("head_iin", "")
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])
    return state


# Answers --------------------------------------------------------------------------------------


def save_answers(draft: Draft, cleaned: dict, *, final: bool) -> None:
    """Keep the answers given so far, and the uploaded files; `final` marks the draft checked."""
    data = dict(draft.data)
    for name in ("subtypes", "address", "phone", "email"):
        if name in cleaned:
            data[name] = cleaned[name]
    provider = cleaned.get("provider")
    if provider:
        draft.provider = offer.providers_for(draft.regulation).filter(code=provider).first() or draft.provider
    with transaction.atomic():
        for kind, field in (
            (Attachment.Kind.REQUIRED, "required_documents"),
            (Attachment.Kind.OTHER, "other_documents"),
        ):
            for checked in cleaned.get(field) or []:
                Attachment.objects.create(draft=draft, kind=kind, **checked)
        draft.data = data
        draft.complete = final
        draft.save()


def has_required_documents(draft: Draft) -> bool:
    return draft.attachments.filter(kind=Attachment.Kind.REQUIRED).exists()


# Payment --------------------------------------------------------------------------------------


def fee_of(draft: Draft) -> FeeDue | None:
    return fee_for(draft.regulation.parsed, draft.variant, clock.today().year)


def payment_needed(draft: Draft) -> bool:
    return fee_of(draft) is not None and draft.payment_status != PAID


def pay(draft: Draft, user) -> str:
    """Pay the fee through the payment gateway; the payment's status (paid, declined, pending).

    Each try has its own client reference, so a declined payment can be tried again, while a
    lost answer to the same try is not charged twice (the gateway is idempotent by reference).
    Raises `Unavailable` when the gateway does not answer.
    """
    fee = fee_of(draft)
    if fee is None:
        return PAID
    draft.payment_attempts += 1
    draft.save(update_fields=["payment_attempts", "updated_at"])
    client = PaymentsClient()
    payment = client.create(
        f"DRAFT-{draft.pk}",
        fee.tenge,
        user.get_username(),
        f"portal-draft-{draft.pk}-{draft.payment_attempts}",
    )
    status = client.status(payment["payment_id"])
    draft.payment_id, draft.payment_status = payment["payment_id"], status.get("status", "")
    draft.save(update_fields=["payment_id", "payment_status", "updated_at"])
    return draft.payment_status


# The signed request ---------------------------------------------------------------------------


def signer_iin(draft: Draft) -> str:
    if access.is_entity(draft.user):
        return draft.data.get("signer_iin", "")
    return draft.user.get_username()


def request_of(draft: Draft) -> dict:
    """The request the applicant signs: every answer, the documents by digest, and the payment.

    Only strings, integers, lists and objects, so the canonical bytes are the same in Python
    and in the browser (pki/signing.py).
    """
    data = draft.data
    request = {
        "iin": signer_iin(draft),
        "regulation": draft.regulation_id,
        "service": draft.regulation.service,
        "variant": draft.variant,
        "channel": draft.channel,
        "provider": draft.provider.code if draft.provider else "",
        "draft": draft.pk,
        "applicant": data.get("applicant") or {},
        "subtypes": data.get("subtypes") or [],
        "address": data.get("address", ""),
        "contacts": {"phone": data.get("phone", ""), "email": data.get("email", "")},
        "documents": [a.described() for a in draft.attachments.defer("content")],
    }
    if access.is_entity(draft.user):
        request["bin"] = draft.user.get_username()
    if draft.payment_id:
        request["payment_id"] = draft.payment_id
    return request


def _signature_digest(envelope) -> str:
    value = envelope.get("signature", {}).get("value") if isinstance(envelope, dict) else None
    if not isinstance(value, str) or not value:
        raise SubmissionRejected("the envelope carries no signature value")
    return hashlib.sha256(value.encode()).hexdigest()


def submit_signed(draft: Draft, user, envelope) -> SignedSubmission:
    """Submit a signed envelope for a draft, once per signature; the stored answer.

    A signature seen before returns its earlier answer (filed or refused) untouched; one that
    waited is tried again, since the channel may now pass.
    """
    digest = _signature_digest(envelope)
    with transaction.atomic():
        # The row is claimed before the channel runs: a concurrent post of the same signature
        # waits on the unique key until this one commits, then reads its answer.
        record, created = SignedSubmission.objects.get_or_create(
            signature_sha256=digest, defaults={"draft": draft, "user": user, "status": "received"}
        )
        if not created:
            record = SignedSubmission.objects.select_for_update().get(pk=record.pk)
            if record.draft_id != draft.pk or record.user_id != user.pk:
                raise SubmissionRejected("this signature was submitted for another request")
            if record.status != "waiting":
                return record
        if created and draft.state != Draft.State.EDITING:
            raise SubmissionRejected("this request was already submitted")
        if created and envelope.get("request") != request_of(draft):
            raise SubmissionRejected("the signed request is not the one made from this draft")
        result = channels.submit(_submission(draft, user, envelope))
        record.status, record.message, record.reason = result.status, result.message, result.reason
        record.application = result.application
        record.save()
        if result.status == "filed" and result.application is not None:
            draft.state, draft.application = Draft.State.SUBMITTED, result.application
            draft.save(update_fields=["state", "application", "updated_at"])
    return record


def _submission(draft: Draft, user, envelope) -> channels.Submission:
    data = draft.data
    applicant = data.get("applicant") or {}
    return channels.Submission(
        regulation=draft.regulation,
        provider=draft.provider,
        channel=draft.channel,
        variant=draft.variant,
        applicant=user.get_username(),
        authenticated=True,
        signed_request=envelope,
        payment_id=draft.payment_id or None,
        documents_complete=has_required_documents(draft),
        initiated_by=user.get_username(),
        applicant_name=applicant.get("name", ""),
        applicant_user=user,
        data={
            "portal_draft": draft.pk,
            "applicant": applicant,
            "subtypes": data.get("subtypes") or [],
            "address": data.get("address", ""),
            "contacts": {"phone": data.get("phone", ""), "email": data.get("email", "")},
            "documents": [a.described() for a in draft.attachments.defer("content")],
            "payment_id": draft.payment_id,
            "signature_sha256": _signature_digest(envelope),
            "language": (translation.get_language() or "kk")[:2],
        },
        at=clock.now(),
    )
