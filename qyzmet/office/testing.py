"""The back office's test cast: two providers of the same service, each with its staff.

Used by the office tests (client and browser). Only the regulations a test needs are copied
into the database, the way `python -m qyzmet regulations load` does it, which keeps each test fast.

The cast: provider A with a clerk, an executor, a second executor and a head; provider B with
a clerk; an application of provider A filed under the specialist-certificate regulation, whose
internal procedure is S1 (clerk registers) -> S2 (executor: complete / incomplete) -> S3
(executor: approve / refuse) -> ... and whose regulation lists two refusal grounds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.engine.models import Application
from qyzmet.providers.models import Provider, StaffRole
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

CERTIFICATE = "mhsd-2015-401/specialist-certificate"  # no law rules: a certificate is not a permit
LICENCE = "almaty-2015-2-279/medical-licence"  # law rules and conclusions of other bodies
PASSWORD = "office-test-password"  # noqa: S105 (test logins only)
# A working Monday morning while the certificate regulation was in force.
FILED = dt.datetime(2018, 3, 12, 10, 0, tzinfo=ALMATY)


def load_regulations(*ids: str) -> None:
    for reg_id in ids:
        reg = catalogue()[reg_id]
        document = reg.model_dump(mode="json", by_alias=True, exclude_none=True)
        Regulation.objects.update_or_create(
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


def staff(provider: Provider, username: str, *roles: str):
    # No password: client tests log in with force_login, and password hashing is slow by design.
    # The browser test sets the passwords of the people it logs in as.
    user = get_user_model().objects.create_user(username=username)
    for role in roles:
        StaffRole.objects.create(user=user, provider=provider, role=role)
    return user


def provider_for(reg_id: str, code: str) -> Provider:
    reg = catalogue()[reg_id]
    return Provider.objects.create(code=code, acts_as=reg.provider.code, name=reg.provider.name.model_dump())


@dataclass
class Cast:
    provider_a: Provider
    provider_b: Provider
    clerk: object
    executor: object
    executor2: object
    head: object
    clerk_b: object

    def file(
        self, provider: Provider | None = None, applicant: str = "870412300129", **kwargs
    ) -> Application:
        kwargs.setdefault("filed_at", FILED)
        kwargs.setdefault(
            "data", {"documents": ["application form", "diploma copy"], "phone": "+7 701 000 00 00"}
        )
        return services.file_application(
            service=catalogue()[CERTIFICATE].service,
            provider=provider or self.provider_a,
            variant="issue",
            channel="egov_portal",
            applicant=applicant,
            **kwargs,
        )


def make_cast() -> Cast:
    load_regulations(CERTIFICATE)
    a = provider_for(CERTIFICATE, "health-a")
    b = provider_for(CERTIFICATE, "health-b")
    return Cast(
        provider_a=a,
        provider_b=b,
        clerk=staff(a, "a.clerk", "office-clerk"),
        executor=staff(a, "a.executor", "executor"),
        executor2=staff(a, "a.executor2", "executor"),
        head=staff(a, "a.head", "head"),
        clerk_b=staff(b, "b.clerk", "office-clerk"),
    )
