"""The e-government payment gateway (ЭҮТШ): licence-fee payments.

`PaymentsClient.create(application_number, amount, payer, client_reference)` asks for a payment
of `amount` tenge; `status(payment_id)` tells pending / paid / declined. Creation is idempotent
by `client_reference`: the same reference with the same details returns the same payment (so a
retry after a lost answer never charges twice); with other details it raises `Conflict`.

Simulator rules: a new payment is "pending"; the first status query after creation finds it
"paid" (the bank's confirmation arrives between the two), unless the amount in tenge ends in
DECLINED_AMOUNT_ENDING (e.g. 5013), which is "declined". The payer's IIN/BIN is the subject,
so the magic numbers of `faults.py` force timeouts and errors here too.
"""

from __future__ import annotations

import hashlib
import threading
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from ..errors import Conflict, InvalidRequest, NotFound
from . import BaseClient
from .tax import check_number

DECLINED_AMOUNT_ENDING = "13"
PENDING, PAID, DECLINED = "pending", "paid", "declined"


def _amount(value) -> str:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise InvalidRequest(f"amount {value!r} is not a number") from exc
    if amount <= 0:
        raise InvalidRequest(f"amount must be positive, not {amount}")
    return str(amount)


class Simulator:
    def __init__(self):
        self.payments: dict[str, dict] = {}
        self.by_reference: dict[str, str] = {}
        self._lock = threading.Lock()

    def handle(self, operation: str, params: dict) -> dict:
        if operation == "create":
            return self.create(params)
        if operation == "status":
            return self.status(params.get("payment_id", ""))
        raise InvalidRequest(f"payments has no operation {operation!r}")

    def create(self, params: dict) -> dict:
        reference = str(params.get("client_reference") or "")
        if not reference:
            raise InvalidRequest("client_reference is required")
        details = {
            "application_number": str(params.get("application_number") or ""),
            "amount": _amount(params.get("amount")),
            "payer": check_number(params.get("payer", "")),
        }
        with self._lock:
            existing = self.by_reference.get(reference)
            if existing:
                payment = self.payments[existing]
                if any(payment[k] != v for k, v in details.items()):
                    raise Conflict(f"client_reference {reference} was used for another payment ({existing})")
                return dict(payment)
            payment_id = "P" + hashlib.sha256(reference.encode()).hexdigest()[:16].upper()
            payment = {
                "payment_id": payment_id,
                "client_reference": reference,
                **details,
                "currency": "KZT",
                "status": PENDING,
                "created_at": timezone.now().isoformat(),
                "paid_at": None,
            }
            self.payments[payment_id] = payment
            self.by_reference[reference] = payment_id
            return dict(payment)

    def status(self, payment_id: str) -> dict:
        with self._lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                raise NotFound(f"no payment {payment_id}")
            if payment["status"] == PENDING:
                tenge = payment["amount"].split(".")[0]
                if tenge.endswith(DECLINED_AMOUNT_ENDING):
                    payment["status"] = DECLINED
                else:
                    payment["status"] = PAID
                    payment["paid_at"] = timezone.now().isoformat()
            return dict(payment)


class PaymentsClient(BaseClient):
    system = "payments"

    def create(
        self,
        application_number: str,
        amount,
        payer: str,
        client_reference: str,
        *,
        correlation_id: str | None = None,
    ) -> dict:
        params = {
            "application_number": application_number,
            "amount": _amount(amount),
            "payer": check_number(payer),
            "client_reference": client_reference,
        }
        return self._call("create", params["payer"], params, correlation_id)

    def status(self, payment_id: str, *, correlation_id: str | None = None) -> dict:
        return self._call("status", payment_id, {"payment_id": payment_id}, correlation_id)
