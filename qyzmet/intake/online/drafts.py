"""A request being prepared: applicant data from the state database, answers, the fee and its
payment, and the request the applicant signs. Its submission is `submissions.submit_draft`.
"""

from __future__ import annotations

import re

from django.db import transaction

from qyzmet import clock
from qyzmet.access import is_entity
from qyzmet.engine.fees import FeeDue, fee_for
from qyzmet.gateway.clients.payments import PAID
from qyzmet.gateway.errors import NotFound, Unavailable
from qyzmet.gateway.lookups import look_up
from qyzmet.providers.models import Provider
from qyzmet.regulations import schema

from . import payments
from .models import Attachment, Draft

FOUND, NOT_FOUND, UNAVAILABLE = "found", "not_found", "unavailable"

PHONE = re.compile(r"^\+?[78](\d{10})$")


def normalise_phone(text: str) -> str:
    """A Kazakhstan mobile number as +7 and ten digits, or "" when it is not one."""
    digits = re.sub(r"[\s()\-]", "", text or "")
    match = PHONE.match(digits)
    return f"+7{match.group(1)}" if match else ""


# The channels through which an applicant files from home, in order of preference.
PORTAL_CHANNELS = schema.PORTAL_CHANNELS  # the one list, kept with the channel codes


def portal_channel(reg, variant: str | None = None) -> str | None:
    """The portal channel of a regulation (for `variant`, where given), or None."""
    for code in PORTAL_CHANNELS:
        channel = reg.channel(code)
        if channel is not None and (variant is None or not channel.variants or variant in channel.variants):
            return code
    return None


def providers_for(row):
    """The provider units that act under the regulation's provider code."""
    return Provider.objects.filter(acts_as=row.provider_code).order_by("code")


# Starting and prefilling ----------------------------------------------------------------------


def start(user, row, variant: str) -> Draft:
    channel = portal_channel(row.parsed, variant)
    if channel is None:
        raise ValueError(f"{row.pk} cannot be requested on the portal for {variant}")
    providers = list(providers_for(row))
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


def applicant_system(user) -> str:
    """The state database that keeps the applicant's record."""
    return "legal_entities" if is_entity(user) else "individuals"


def look_up_applicant(user, purpose: str):
    """The applicant's record in the state database, kept as a `DataLookup` caused by them.

    Raises the gateway's `NotFound` (no record) or `Unavailable` (cannot be reached)."""
    number = user.get_username()
    return look_up(applicant_system(user), number, purpose=purpose, initiated_by=number)


def prefill(draft: Draft, user, signer_iin: str | None = None) -> str:
    """Ask the state database for the applicant's data once; FOUND, NOT_FOUND or UNAVAILABLE.

    Every answer is kept by the gateway as a `DataLookup` with its purpose and the user who
    caused it, so the applicant sees it in the cabinet. An unavailable database is asked again
    on the next visit; "no record" is kept, since asking again would not change it.
    """
    state = draft.data.get("lookup")
    if state in (FOUND, NOT_FOUND):
        return state
    system = applicant_system(user)
    try:
        lookup = look_up_applicant(
            user, f"{draft.regulation_id}: applicant data for the request form (portal draft {draft.pk})"
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


def document_field(doc: schema.FormDocument) -> str:
    """The name of the request form's upload field for one listed document."""
    return f"document-{doc.code}"


def listed_documents(draft: Draft) -> list[schema.FormDocument]:
    """The documents the regulation lists for the draft's variant: the form asks for each by name."""
    return draft.regulation.parsed.documents_for(draft.variant)


def save_answers(draft: Draft, cleaned: dict, *, final: bool) -> None:
    """Keep the answers given so far, and the uploaded files; `final` marks the draft checked.

    A file uploaded for a listed document is kept with that document's code."""
    data = dict(draft.data)
    for name in ("subtypes", "address", "phone", "email"):
        if name in cleaned:
            data[name] = cleaned[name]
    provider = cleaned.get("provider")
    if provider:
        draft.provider = providers_for(draft.regulation).filter(code=provider).first() or draft.provider
    uploads = [(Attachment.Kind.OTHER, "", f) for f in cleaned.get("other_documents") or []]
    for doc in listed_documents(draft):
        for checked in cleaned.get(document_field(doc)) or []:
            uploads.append((Attachment.Kind.REQUIRED, doc.code, checked))
    with transaction.atomic():
        for kind, code, checked in uploads:
            Attachment.objects.create(draft=draft, kind=kind, document=code, **checked)
        draft.data = data
        draft.complete = final
        draft.save()


def missing_documents(draft: Draft) -> list[schema.FormDocument]:
    """The required documents of the regulation's list that no uploaded file is for.

    The one completeness rule of the online intake: the form enforces it, the submission records it."""
    have = set(draft.attachments.filter(kind=Attachment.Kind.REQUIRED).values_list("document", flat=True))
    return [doc for doc in listed_documents(draft) if doc.required and doc.code not in have]


def has_required_documents(draft: Draft) -> bool:
    return not missing_documents(draft)


# Payment --------------------------------------------------------------------------------------


def fee_of(draft: Draft) -> FeeDue | None:
    return fee_for(draft.regulation.parsed, draft.variant, clock.today().year)


def payment_needed(draft: Draft) -> bool:
    return fee_of(draft) is not None and draft.payment_status != PAID


def pay(draft: Draft, user) -> str:
    """Pay the fee through the payment gateway; the payment's status (paid, declined, pending).

    Each try has its own client reference, so a declined payment can be tried again, while a
    lost answer to the same try is not charged twice (the gateway is idempotent by reference).
    The payment names the payer, the service, the variant and the provider, which the filing
    checks. Raises `Unavailable` when the gateway does not answer.
    """
    fee = fee_of(draft)
    if fee is None:
        return PAID
    if draft.provider is None:
        raise ValueError("choose the provider before paying")
    draft.payment_attempts += 1
    draft.save(update_fields=["payment_attempts", "updated_at"])
    payment = payments.create(
        payer=user.get_username(),
        provider=draft.provider,
        row=draft.regulation,
        variant=draft.variant,
        fee=fee,
        reference=f"portal-draft-{draft.pk}-{draft.payment_attempts}",
        purpose=f"DRAFT-{draft.pk}",
    )
    status = payments.status(payment["payment_id"])
    draft.payment_id, draft.payment_status = payment["payment_id"], status.get("status", "")
    draft.save(update_fields=["payment_id", "payment_status", "updated_at"])
    return draft.payment_status


# The signed request ---------------------------------------------------------------------------


def signer_iin(draft: Draft) -> str:
    if is_entity(draft.user):
        return draft.data.get("signer_iin", "")
    return draft.user.get_username()


def sign_as(draft: Draft, signer: str | None) -> None:
    """An entity's request is signed by the employee who signed in with her own EDS, with her
    own key, not the head's (`signer`: the IIN of that sign-in, if any)."""
    if is_entity(draft.user) and signer and draft.data.get("signer_iin") != signer:
        draft.data = dict(draft.data, signer_iin=signer)
        draft.save(update_fields=["data", "updated_at"])


def documents_of(draft: Draft) -> list[dict]:
    return [a.described() for a in draft.attachments.defer("content")]


def request_of(draft: Draft) -> dict:
    """The request the applicant signs: every answer, the documents by digest, and the payment.

    It names the applicant (IIN, and BIN for an entity), the service, variant and provider and
    each document's SHA-256, which the submission checks against what is filed. Only strings,
    integers, lists and objects, so the canonical bytes are the same in Python and in the
    browser (pki/signing.py).
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
        "documents": documents_of(draft),
    }
    if is_entity(draft.user):
        request["bin"] = draft.user.get_username()
    if draft.payment_id:
        request["payment_id"] = draft.payment_id
    return request
