"""The state database "Legal entities" (ЗТ МДҚ): an entity's registration data by BIN.

`LegalEntitiesClient.entity(bin_)` returns the name, legal form, the type and attribute the
BIN encodes, the head's IIN and name, the address and the registration date. Errors as in
`individuals.py`.
"""

from __future__ import annotations

from qyzmet.identity import numbers

from .. import synthetic
from ..errors import InvalidRequest
from . import BaseClient


def check_bin(bin_: str) -> str:
    bin_ = (bin_ or "").strip()
    problem = numbers.bin_problem(bin_)
    if problem:
        raise InvalidRequest(f"BIN {bin_!r}: {problem}")
    return bin_


class Simulator:
    def handle(self, operation: str, params: dict) -> dict:
        if operation != "entity":
            raise InvalidRequest(f"legal_entities has no operation {operation!r}")
        return synthetic.entity(check_bin(params.get("bin", "")))


class LegalEntitiesClient(BaseClient):
    system = "legal_entities"

    def entity(self, bin_: str, *, correlation_id: str | None = None) -> dict:
        bin_ = check_bin(bin_)
        return self._call("entity", bin_, {"bin": bin_}, correlation_id)
