"""Shared set-up for the API tests: a regulation row, providers A and B with staff, tokens, a
frozen clock.

Only the regulations a test needs are put in the database (not the whole catalogue), which keeps
each test to a few milliseconds of set-up. Applications are filed in 2018, when the specialist
certificate regulation was in force; `freeze` sets "now" for the API and the engine alike.
"""

import datetime as dt
import hashlib
import json

from django.utils import timezone

from qyzmet.api.models import ApiToken
from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.identity.numbers import generate_iin
from qyzmet.providers.models import Provider
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from . import cast
from .engine_helpers import staff_for

CERTIFICATE = "mhsd-2015-401/specialist-certificate"  # S1 clerk -> S2 executor complete/incomplete -> ...
MEDICAL_LICENCE = "almaty-2015-2-279/medical-licence"  # asks other bodies for conclusions
MONDAY = dt.datetime(2018, 6, 4, 10, 0, tzinfo=ALMATY)


def regulation_row(reg_id: str = CERTIFICATE) -> Regulation:
    reg = catalogue()[reg_id]
    document = reg.model_dump(mode="json", by_alias=True, exclude_none=True)
    row, _ = Regulation.objects.get_or_create(
        pk=reg.id,
        defaults=dict(
            service=reg.service,
            provider_code=reg.provider.code,
            in_force_from=reg.in_force.from_,
            in_force_until=reg.in_force.until,
            document=document,
            digest=hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest(),
        ),
    )
    return row


def provider(code: str, reg_id: str = CERTIFICATE) -> Provider:
    return cast.provider_for(regulation_row(reg_id).parsed, code)


def new_application(
    at_provider: Provider, filed_at: dt.datetime = MONDAY, reg_id: str = CERTIFICATE, **kwargs
):
    reg = catalogue()[reg_id]
    return services.file_application(
        service=reg.service,
        provider=at_provider,
        variant=kwargs.pop("variant", "issue"),
        channel=kwargs.pop("channel", "egov_portal"),
        applicant=kwargs.pop("applicant", None) or generate_iin(),
        filed_at=filed_at,
        **kwargs,
    )


def bearer(user) -> dict:
    """Request headers carrying a fresh API token of `user`."""
    _, token = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {token}"}


def freeze(monkeypatch, moment: dt.datetime) -> None:
    """Make `timezone.now()` return `moment` for the rest of the test (API, engine, audit log)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


__all__ = [
    "CERTIFICATE",
    "MEDICAL_LICENCE",
    "MONDAY",
    "bearer",
    "freeze",
    "new_application",
    "provider",
    "staff_for",
]
