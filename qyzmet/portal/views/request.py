"""The request, step by step: the form (a draft, saved at every step), "check your answers", the
fee, signing in the browser, and the submission.

Signing happens in the browser (qyzmet/static/js/sign.js): the page hands out the canonical text
of the request, the browser signs it with the key from the applicant's key file and posts the
signed envelope; the private key never reaches the server.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qyzmet.engine.services import EngineError
from qyzmet.gateway.clients.payments import DECLINED, PAID
from qyzmet.gateway.errors import GatewayError, Unavailable
from qyzmet.intake.online import drafts
from qyzmet.intake.online.submissions import AlreadySubmitted, Rejected, submit_draft
from qyzmet.pki.faults import Fault, signing_fault
from qyzmet.pki.signing import canonical
from qyzmet.regulations import preview

from .. import access
from ..forms import RequestForm
from ..models import Draft
from .signin import SIGNER_KEY


def _form(draft: Draft, data=None, files=None, *, final=False) -> RequestForm:
    initial = {
        "provider": draft.provider.code if draft.provider else "",
        "subtypes": "\n".join(draft.data.get("subtypes") or []),
        "address": draft.data.get("address", ""),
        "phone": draft.data.get("phone", ""),
        "email": draft.data.get("email", ""),
    }
    return RequestForm(
        data,
        files,
        initial=initial,
        providers=drafts.providers_for(draft.regulation),
        documents=drafts.listed_documents(draft),
        attached=draft.attachments.exclude(document="").values_list("document", flat=True),
        final=final,
        spec=draft.regulation.parsed.request_form_for(draft.variant),
    )


def _draft_page(request, draft: Draft, form: RequestForm, lookup: str, status: int = 200):
    reg = draft.regulation.parsed
    return render(
        request,
        "portal/draft.html",
        {
            "draft": draft,
            "reg": reg,
            "variant": reg.variant(draft.variant),
            "form": form,
            "lookup": lookup,
            "applicant": draft.data.get("applicant"),
            "attachments": draft.attachments.defer("content"),
            "entity": access.is_entity(request.user),
        },
        status=status,
    )


@access.applicant_required
def draft(request, draft_id: int):
    draft = access.draft_for(request.user, draft_id, editable=True)
    lookup = drafts.prefill(draft, request.user, request.session.get(SIGNER_KEY))
    if request.method != "POST":
        return _draft_page(request, draft, _form(draft), lookup)
    final = "continue" in request.POST
    form = _form(draft, request.POST, request.FILES, final=final)
    if not form.is_valid():
        # Keep what is valid (a good upload beside a bad phone number is not lost).
        drafts.save_answers(
            draft, {k: v for k, v in form.cleaned_data.items() if k not in form.errors}, final=False
        )
        return _draft_page(request, draft, form, lookup, status=400)
    drafts.save_answers(draft, form.cleaned_data, final=final)
    if final:
        return redirect("portal:check", draft_id=draft.pk)
    messages.success(request, _("Your draft is saved. You can come back to it from your personal cabinet."))
    return redirect("portal:draft", draft_id=draft.pk)


@require_POST
@access.applicant_required
def delete_attachment(request, draft_id: int, attachment_id: int):
    draft = access.draft_for(request.user, draft_id, editable=True)
    draft.attachments.filter(pk=attachment_id).delete()
    draft.complete = False
    draft.save(update_fields=["complete", "updated_at"])
    return redirect("portal:draft", draft_id=draft.pk)


@access.applicant_required
def attachment(request, draft_id: int, attachment_id: int):
    draft = access.draft_for(request.user, draft_id)
    item = draft.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404("no such attachment")
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.pk}{_extension(item.content_type)}"'
    return response


def _extension(content_type: str) -> str:
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(content_type, "")


def _ready(request, draft: Draft):
    """Where to send a draft that is not ready for the page asked, or None."""
    if not draft.complete:
        messages.error(request, _("Fill in the request form first."))
        return redirect("portal:draft", draft_id=draft.pk)
    return None


def _check_page(request, draft: Draft, status: int = 200, payment_error: str = ""):
    reg = draft.regulation.parsed
    return render(
        request,
        "portal/check.html",
        {
            "draft": draft,
            "reg": reg,
            "variant": reg.variant(draft.variant),
            "applicant": draft.data.get("applicant"),
            "attachments": draft.attachments.defer("content"),
            "listed": {doc.code: doc for doc in drafts.listed_documents(draft)},
            "fee": drafts.fee_of(draft),
            "paid": draft.payment_status == PAID,
            "declined": draft.payment_status == DECLINED,
            "payment_needed": drafts.payment_needed(draft),
            "payment_error": payment_error,
        },
        status=status,
    )


@access.applicant_required
def check(request, draft_id: int):
    draft = access.draft_for(request.user, draft_id, editable=True)
    return _ready(request, draft) or _check_page(request, draft)


@require_POST
@access.applicant_required
def pay(request, draft_id: int):
    draft = access.draft_for(request.user, draft_id, editable=True)
    not_ready = _ready(request, draft)
    if not_ready:
        return not_ready
    if not drafts.payment_needed(draft):
        return redirect("portal:sign", draft_id=draft.pk)
    try:
        status = drafts.pay(draft, request.user)
    except Unavailable:
        return _check_page(
            request,
            draft,
            status=503,
            payment_error=_(
                "The payment gateway is not answering. Nothing was charged; try again in a few minutes."
            ),
        )
    except GatewayError as exc:
        return _check_page(
            request, draft, status=502, payment_error=_("The payment failed: %(error)s") % {"error": exc}
        )
    if status == PAID:
        messages.success(request, _("The fee is paid. Now sign the request with your EDS."))
        return redirect("portal:sign", draft_id=draft.pk)
    return _check_page(request, draft, status=402 if status == DECLINED else 202)


def _sign_page(
    request,
    draft: Draft,
    *,
    refusal: str = "",
    waiting: str = "",
    error: str = "",
    fault: Fault | None = None,
    status: int = 200,
):
    reg = draft.regulation.parsed
    signed = drafts.request_of(draft)
    return render(
        request,
        "portal/sign.html",
        {
            "draft": draft,
            "reg": reg,
            "canonical": canonical(signed).decode(),
            # the same content as a document in the applicant's language (one renderer with the office's)
            "preview": preview.rows(signed, reg),
            "refusal": refusal,
            "waiting": waiting,
            "error": error,
            "fault": fault,
        },
        status=status,
    )


@access.applicant_required
def sign(request, draft_id: int):
    draft = access.draft_for(request.user, draft_id, editable=True)
    not_ready = _ready(request, draft)
    if not_ready:
        return not_ready
    if drafts.payment_needed(draft):
        messages.error(request, _("Pay the fee before signing the request."))
        return redirect("portal:check", draft_id=draft.pk)
    drafts.sign_as(draft, request.session.get(SIGNER_KEY))
    return _sign_page(request, draft)


@require_POST
@access.applicant_required
def submit(request, draft_id: int):
    draft = access.draft_for(request.user, draft_id)
    try:
        envelope = json.loads(request.POST.get("envelope") or "")
    except ValueError:
        envelope = None
    try:
        done = submit_draft(draft, request.user, envelope)
    except AlreadySubmitted:
        raise Http404("this request was already submitted") from None
    except Rejected as rejected:
        if draft.state != Draft.State.EDITING:
            raise Http404("this request was already submitted") from None
        return _sign_page(request, draft, error=rejected.message, status=400)
    except EngineError as exc:
        return _sign_page(request, draft, error=str(exc), status=409)
    if done.status == "filed" and done.application is not None:
        messages.success(request, _("Your application is filed."))
        return redirect("portal:application", number=done.application.number)
    if done.fault:
        # The signature does not stand: nothing was filed or refused; say what to fix.
        return _sign_page(request, draft, fault=signing_fault(done.fault), status=422)
    if done.status == "refused":
        return _sign_page(request, draft, refusal=done.text(request.LANGUAGE_CODE), status=422)
    if done.busy:
        return _sign_page(request, draft, waiting=done.reason, status=202)
    return _sign_page(
        request,
        draft,
        waiting=_(
            "A state system is not answering, so the request could not be checked yet. "
            "Your draft is saved: send the same signed request again later."
        ),
        status=202,
    )
