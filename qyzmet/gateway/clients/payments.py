"""The e-government payment gateway (ЭҮТШ): licence-fee payments.

`PaymentsClient.create(application_number, amount, payer, client_reference, service=, variant=,
provider=)` asks for a payment of `amount` tenge by `payer` (IIN/BIN) for one service, variant
and provider (the purpose of the payment, as the gateway's payment order carries it); `status
(payment_id)` tells pending / paid / declined with those details, so the platform can check that
a payment is the applicant's and for what they file. Creation is idempotent by
`client_reference`: the same reference with the same details returns the same payment (so a
retry after a lost answer never charges twice); with other details it raises `Conflict`.

Simulator rules: a new payment is "pending"; the first status query after creation finds it
"paid" (the bank's confirmation arrives between the two), unless the amount in tenge ends in
DECLINED_AMOUNT_ENDING (e.g. 5013), which is "declined". The payer's IIN/BIN is the subject,
so the magic numbers of `faults.py` force timeouts and errors here too. Payment ids are random
(`secrets`), so nobody can compute another payer's. The simulator keeps its payments in its own
SQLite file (`store_path()`), not in the platform's database, as the real gateway keeps its
own: a restart of the simulator loses no payment.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..errors import Conflict, InvalidRequest, NotFound
from . import BaseClient
from .tax import check_number

DECLINED_AMOUNT_ENDING = "13"
PENDING, PAID, DECLINED = "pending", "paid", "declined"
# What a payment is for: compared by the platform with what is filed.
PURPOSE = ("service", "variant", "provider")


def _amount(value) -> str:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise InvalidRequest(f"amount {value!r} is not a number") from exc
    if amount <= 0:
        raise InvalidRequest(f"amount must be positive, not {amount}")
    return str(amount)


def store_path() -> Path:
    """The simulator's own store: QYZMET_PAYMENTS_STORE (setting or environment), else
    var/gateway-payments.sqlite3."""
    configured = getattr(settings, "QYZMET_PAYMENTS_STORE", None) or os.environ.get("QYZMET_PAYMENTS_STORE")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "gateway-payments.sqlite3"


class Simulator:
    """Payments by id in a SQLite file, one JSON document per payment; the reference is unique."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path or store_path())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS payment ("
                " payment_id TEXT PRIMARY KEY, client_reference TEXT NOT NULL UNIQUE, document TEXT NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        # A connection per operation: the simulator serves threads of the HTTP service.
        return sqlite3.connect(self.path, timeout=10, isolation_level="IMMEDIATE")

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
            **{name: str(params.get(name) or "") for name in PURPOSE},
        }
        with self._lock, self._connect() as db:
            row = db.execute(
                "SELECT payment_id, document FROM payment WHERE client_reference = ?", (reference,)
            ).fetchone()
            if row:
                payment = json.loads(row[1])
                if any(payment.get(k, "") != v for k, v in details.items()):
                    raise Conflict(f"client_reference {reference} was used for another payment ({row[0]})")
                return payment
            payment = {
                "payment_id": "P" + secrets.token_hex(16).upper(),
                "client_reference": reference,
                **details,
                "currency": "KZT",
                "status": PENDING,
                "created_at": timezone.now().isoformat(),
                "paid_at": None,
            }
            db.execute(
                "INSERT INTO payment (payment_id, client_reference, document) VALUES (?, ?, ?)",
                (payment["payment_id"], reference, json.dumps(payment)),
            )
            return payment

    def status(self, payment_id: str) -> dict:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT document FROM payment WHERE payment_id = ?", (payment_id,)).fetchone()
            if row is None:
                raise NotFound(f"no payment {payment_id}")
            payment = json.loads(row[0])
            if payment["status"] == PENDING:
                tenge = payment["amount"].split(".")[0]
                if tenge.endswith(DECLINED_AMOUNT_ENDING):
                    payment["status"] = DECLINED
                else:
                    payment["status"] = PAID
                    payment["paid_at"] = timezone.now().isoformat()
                db.execute(
                    "UPDATE payment SET document = ? WHERE payment_id = ?", (json.dumps(payment), payment_id)
                )
            return payment


class PaymentsClient(BaseClient):
    system = "payments"

    def create(
        self,
        application_number: str,
        amount,
        payer: str,
        client_reference: str,
        *,
        service: str = "",
        variant: str = "",
        provider: str = "",
        correlation_id: str | None = None,
    ) -> dict:
        params = {
            "application_number": application_number,
            "amount": _amount(amount),
            "payer": check_number(payer),
            "client_reference": client_reference,
            "service": service,
            "variant": variant,
            "provider": provider,
        }
        return self._call("create", params["payer"], params, correlation_id)

    def status(self, payment_id: str, *, correlation_id: str | None = None) -> dict:
        return self._call("status", payment_id, {"payment_id": payment_id}, correlation_id)
