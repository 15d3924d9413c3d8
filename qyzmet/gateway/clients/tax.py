"""The integrated tax information system (ЫСАЖ): tax debts of a taxpayer by IIN or BIN.

`TaxClient.debts(number)` returns {"number", "has_debts", "total", "debts": [{kbk, name,
amount, since}]}; amounts in tenge. A taxpayer without debts is an answer, not `NotFound`.
"""

from __future__ import annotations

from qyzmet.identity import numbers

from .. import synthetic
from ..errors import InvalidRequest
from . import BaseClient


def check_number(number: str) -> str:
    number = (number or "").strip()
    problem = numbers.problem(number)
    if problem:
        raise InvalidRequest(f"{number!r} is neither an IIN nor a BIN: {problem}")
    return number


class Simulator:
    def handle(self, operation: str, params: dict) -> dict:
        if operation != "debts":
            raise InvalidRequest(f"tax has no operation {operation!r}")
        return synthetic.tax_debts(check_number(params.get("number", "")))


class TaxClient(BaseClient):
    system = "tax"

    def debts(self, number: str, *, correlation_id: str | None = None) -> dict:
        number = check_number(number)
        return self._call("debts", number, {"number": number}, correlation_id)
