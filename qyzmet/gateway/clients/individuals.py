"""The state database "Individuals" (ЖТ МДҚ): a person's identity data by IIN.

`IndividualsClient.person(iin)` returns names, birth date, sex, address and identity document;
it raises `NotFound` when the database has no such person, `Unavailable` when it cannot be
asked now, `InvalidRequest` for a malformed IIN (never sent). `Simulator` answers with
synthetic data derived from the IIN (see `synthetic.py`).
"""

from __future__ import annotations

from qyzmet.identity import numbers

from .. import synthetic
from ..errors import InvalidRequest
from . import BaseClient


def check_iin(iin: str) -> str:
    iin = (iin or "").strip()
    problem = numbers.iin_problem(iin)
    if problem:
        raise InvalidRequest(f"IIN {iin!r}: {problem}")
    return iin


class Simulator:
    def handle(self, operation: str, params: dict) -> dict:
        if operation != "person":
            raise InvalidRequest(f"individuals has no operation {operation!r}")
        return synthetic.person(check_iin(params.get("iin", "")))


class IndividualsClient(BaseClient):
    system = "individuals"

    def person(self, iin: str, *, correlation_id: str | None = None) -> dict:
        iin = check_iin(iin)
        return self._call("person", iin, {"iin": iin}, correlation_id)
