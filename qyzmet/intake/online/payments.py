"""The licence fee through the payment gateway, for both doors.

A payment names its payer (the applicant's IIN/BIN), the service, variant and provider it pays
for and the amount of the fee; the channel's payment check compares each with what is filed, and
the filing consumes it (`Application.payment_id` is unique). The amount is never the client's:
it is the fee of the variant under the regulation in force (`engine.fees.fee_for`).
"""

from __future__ import annotations

import hashlib

from qyzmet.engine.models import Application
from qyzmet.gateway.clients.payments import PaymentsClient


def create(*, payer: str, provider, row, variant: str, fee, reference: str, purpose: str) -> dict:
    """Ask the gateway for the fee; idempotent by `reference` (the gateway keeps it).

    Raises the gateway's errors: `Conflict` for a reference used with other details,
    `Unavailable` when it does not answer."""
    return PaymentsClient().create(
        purpose,
        fee.tenge,
        payer,
        reference,
        service=row.service,
        variant=variant,
        provider=provider.code,
    )


def status(payment_id: str) -> dict:
    return PaymentsClient().status(payment_id)


def default_reference(payer: str, provider, row, variant: str, day) -> str:
    """A client reference for a payer who gives none: the same for every click on "pay" for the
    same fee that day, and a new one once a filing consumed the payment (a second application
    needs a second fee)."""
    used = Application.objects.filter(
        applicant=payer, service=row.service, variant=variant, provider=provider, payment_id__isnull=False
    ).count()
    text = f"{provider.code}|{row.pk}|{variant}|{day}|{used}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]
