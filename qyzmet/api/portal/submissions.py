"""POST /submissions: file a signed request through the portal channel of the regulation.

A face of the online intake (`qyzmet.intake.online.submissions`), which the web portal uses too:
the same checks, ledger, payment binding, refusals and notifications. This view picks the
regulation in force at the provider now and its portal channel, and turns the outcome into
HTTP: 201 filed (`repeated` when an earlier post of the same signed request filed it), 422
refused with the regulation's message, 422 `signature_not_accepted` with a stable `code` and what
to do when the signature does not stand (nothing is filed or refused: sign again with the right
key), 202 waiting, 422 validation error when the signed request does not name what is filed.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import ValidationError

from qyzmet.access import applicant_number
from qyzmet.engine.models import Application
from qyzmet.intake.online.submissions import Outcome, Rejected, submit_request
from qyzmet.pki.faults import signing_fault

from ..schemas import Error, ValidationErrors
from .access import portal_channel, provider_named, regulation_at, variant_of
from .cabinet import RETRY_AFTER_SECONDS
from .present import expected_path
from .schemas import Filed, Refused, SignatureFault, SubmitRequest, Waiting

router = Router(tags=["portal: submissions"])


def _filed(app: Application, repeated: bool) -> Status:
    return Status(
        201,
        {
            "status": "filed",
            "application": app.number,
            "regulation": app.regulation_id,
            "channel": app.channel,
            "provider": app.provider.code,
            "filed_at": app.filed_at,
            "due_at": app.due_at,
            "expected_path": expected_path(app),
            "repeated": repeated,
        },
    )


def _waiting(response: HttpResponse, detail: str) -> Status:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return Status(202, {"status": "waiting", "detail": detail, "retry_after": RETRY_AFTER_SECONDS})


def _signature_fault(outcome: Outcome) -> Status:
    fault = signing_fault(outcome.fault)
    return Status(
        422,
        {
            "status": "signature_not_accepted",
            "code": fault.code,
            "message": str(fault.message),
            "detail": outcome.reason,
        },
    )


def _refused(outcome: Outcome) -> Status:
    return Status(
        422,
        {
            "status": "refused",
            "step": outcome.step,
            "message": outcome.message,
            "text": outcome.text(),
            "detail": outcome.reason,
        },
    )


@router.post(
    "/submissions",
    response={
        201: Filed,
        202: Waiting,
        403: Error,
        404: Error,
        409: Error,
        422: Refused | SignatureFault | ValidationErrors,
    },
    summary="File a signed request through the portal channel (idempotent by its signature)",
)
def portal_submit(request, response: HttpResponse, payload: SubmitRequest):
    """201: filed, with the application number, its term and the expected path. 422 with
    `status: refused`: a check of the channel failed; `message` is the regulation's own.
    422 with `status: signature_not_accepted`: the signature does not stand (wrong key type,
    expired, revoked, another person's certificate, untrusted issuer...): `code` says which,
    `message` what to do; nothing was filed. 422 validation error: the signed request does not name the applicant,
    service, variant, provider or documents filed. 202: a state database (or the payment gateway)
    cannot be reached, or the same request is being processed right now; post it again after
    Retry-After."""
    applicant = applicant_number(request.auth)
    provider = provider_named(payload.provider)
    row = regulation_at(provider, payload.service)
    variant = variant_of(row, payload.variant)
    try:
        outcome = submit_request(
            request.auth,
            applicant=applicant,
            provider=provider,
            regulation=row,
            variant=variant,
            channel=portal_channel(row),
            envelope=payload.signed_request,
            payment_id=payload.payment_id,
        )
    except Rejected as rejected:
        raise ValidationError(
            [
                {
                    "loc": ["body", "payload", *rejected.field.split(".")],
                    "msg": rejected.message,
                    "type": "value_error",
                }
            ]
        ) from None
    if outcome.status == "filed":
        return _filed(outcome.application, repeated=outcome.repeated)
    if outcome.fault:
        return _signature_fault(outcome)
    if outcome.status == "refused":
        return _refused(outcome)
    return _waiting(
        response, outcome.reason or _("A state system is not answering; post the same request later.")
    )
