"""POST /payments and GET /payments/{payment_id}: the licence fee, through the payment gateway.

A face of the online intake's payments (`qyzmet.intake.online.payments`): the payment names the
payer, service, variant and provider, and the filing checks each and consumes it. The amount is
never the client's: it is the fee of the variant under the regulation in force at the provider
today (`engine.fees.fee_for`). Creating is idempotent by client reference, which the gateway
keeps; references are scoped to the payer, so two applicants choosing the same reference never
meet.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from qyzmet import clock
from qyzmet.access import access_payment, applicant_number
from qyzmet.access.people import applicant_kind_of
from qyzmet.engine.applicants import refusal_for
from qyzmet.engine.fees import fee_for
from qyzmet.engine.services import EngineError
from qyzmet.gateway.errors import Conflict, InvalidRequest, NotFound, Unavailable
from qyzmet.i18n import in_language
from qyzmet.intake.online import payments

from ..schemas import Error, ValidationErrors
from .access import portal_channel, provider_named, regulation_at, variant_of
from .cabinet import unavailable
from .schemas import CreatePayment, Payment

router = Router(tags=["portal: payments"])


def _gateway_reference(payer: str, client_reference: str) -> str:
    return f"{payer}:{client_reference}"


def _as_payment(answer: dict, payer: str) -> dict:
    return {**answer, "client_reference": answer["client_reference"].removeprefix(f"{payer}:")}


@router.post(
    "/payments",
    response={201: Payment, 403: Error, 404: Error, 409: Error, 422: ValidationErrors, 503: Error},
    summary="Ask the payment gateway for the fee of a service (the same reference: the same payment)",
)
def portal_create_payment(request, response: HttpResponse, payload: CreatePayment):
    payer = applicant_number(request.auth)
    provider = provider_named(payload.provider)
    row = regulation_at(provider, payload.service)
    variant = variant_of(row, payload.variant)
    # no fee is taken for a request the intake would refuse: a kind of applicant not admitted
    refusal = refusal_for(row.parsed, variant, payer, applicant_kind_of(request.auth), portal_channel(row))
    if refusal is not None:
        raise EngineError(in_language(refusal))
    today = clock.today()
    fee = fee_for(row.parsed, variant, today.year)
    if fee is None:
        raise EngineError(
            _("%(variant)s of %(service)s carries no fee to pay.")
            % {"variant": variant, "service": row.service}
        )
    # The default makes a repeated click on "pay" find the same payment until a filing uses it.
    reference = payload.client_reference or payments.default_reference(payer, provider, row, variant, today)
    try:
        answer = payments.create(
            payer=payer,
            provider=provider,
            row=row,
            variant=variant,
            fee=fee,
            reference=_gateway_reference(payer, reference),
            purpose=f"draft-{reference[:20]}",
        )
    except Conflict as exc:
        raise EngineError(
            _("This reference was used for another payment: %(error)s") % {"error": exc}
        ) from None
    except InvalidRequest as exc:
        raise EngineError(str(exc)) from None
    except Unavailable as exc:
        return unavailable(response, exc)
    return Status(201, _as_payment(answer, payer))


@router.get(
    "/payments/{payment_id}",
    response={200: Payment, 403: Error, 404: Error, 503: Error},
    summary="One of my payments, as the payment gateway knows it now",
)
def portal_get_payment(request, response: HttpResponse, payment_id: str):
    payer = applicant_number(request.auth)
    try:
        answer = payments.status(payment_id)
    except NotFound:
        answer = None
    except Unavailable as exc:
        return unavailable(response, exc)
    return _as_payment(access_payment(request.auth, payment_id, answer), payer)
