"""The people and organisations of the tests, made in one place.

`tests/conftest.py` turns these into fixtures (the cast: applicants A and B, provider P with its
office clerk, head and licensing department, provider Q with its own clerk, a service centre with
its operator); the helper modules (`*_helpers.py`) make their providers and staff through the
same functions. Users get no password unless a test signs in with one: the test client's
`force_login` needs none, and the run's password hasher is the fast one anyway (conftest).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from qyzmet.gateway.testing import ordinary_iin
from qyzmet.providers.models import Provider, StaffRole
from qyzmet.psc.models import ACTS_AS as PSC_ACTS_AS
from qyzmet.psc.models import OPERATOR as PSC_OPERATOR
from qyzmet.regulations.loader import catalogue

# Almaty's medical licence: office clerk, licensing department and head decide it; a portal,
# office and service-centre channel; conclusions of other bodies. In force on 2015-10-14.
LICENCE = "almaty-2015-2-279/medical-licence"
APPLICANT_A = ordinary_iin(seed=101)
APPLICANT_B = ordinary_iin(seed=102)


def _regulation(reg):
    return catalogue()[reg] if isinstance(reg, str) else reg


def provider_for(reg, code: str | None = None, *, existing: bool = False) -> Provider:
    """A provider acting as the one regulation `reg` (an id or a parsed regulation) names.

    Its code is `code`, else `p-<the regulation's provider code>`. With `existing`, a provider of
    that code already in the database is returned as it is.
    """
    reg = _regulation(reg)
    code = code or f"p-{reg.provider.code}"[:160]
    values = {"acts_as": reg.provider.code, "name": reg.provider.name.model_dump()}
    if existing:
        return Provider.objects.get_or_create(code=code, defaults=values)[0]
    return Provider.objects.create(code=code, **values)


def staff_for(provider: Provider, role: str, username: str | None = None, *more_roles: str):
    """A user holding `role` (and `more_roles`) at `provider`; `<provider pk>.<role>` by default.

    Made on first call, the same user afterwards.
    """
    user, _ = get_user_model().objects.get_or_create(username=username or f"{provider.pk}.{role}")
    for each in (role, *more_roles):
        StaffRole.objects.get_or_create(user=user, provider=provider, role=each)
    return user


def person(username: str, password: str | None = None, email: str = ""):
    """A user (an applicant signs in with their IIN or BIN as the username)."""
    return get_user_model().objects.create_user(username=username, password=password, email=email)


def service_centre(code: str = "psc-test-1"):
    """A Population Service Centre with one operator: (centre, operator)."""
    centre = Provider.objects.create(
        code=code, acts_as=PSC_ACTS_AS, name={"kk": code, "ru": code, "en": code}
    )
    return centre, staff_for(centre, PSC_OPERATOR, f"{code}.operator")


@dataclass
class Cast:
    """Applicants A and B; provider P (clerk, head, licensing department) and provider Q of the
    same regulation, whose staff must not reach P's applications; a service centre's operator."""

    applicant_a: object
    applicant_b: object
    provider_p: Provider
    clerk: object
    head: object
    licensing_department: object
    provider_q: Provider
    staff_q: object
    centre: Provider
    psc_operator: object


def make_cast(reg_id: str = LICENCE) -> Cast:
    p = provider_for(reg_id, "provider-p")
    q = provider_for(reg_id, "provider-q")
    centre, operator = service_centre("psc-cast")
    return Cast(
        applicant_a=person(APPLICANT_A),
        applicant_b=person(APPLICANT_B),
        provider_p=p,
        clerk=staff_for(p, "office-clerk", "p.clerk"),
        head=staff_for(p, "head", "p.head"),
        licensing_department=staff_for(p, "licensing-department", "p.licensing-department"),
        provider_q=q,
        staff_q=staff_for(q, "office-clerk", "q.clerk", "licensing-department", "head"),
        centre=centre,
        psc_operator=operator,
    )


_key_files: dict = {}


def key_file(
    centre, iin: str, purpose: str = "sign", password: str = "pw", name: str = "ТЕСТОВ ТЕСТ", **subject
):
    """A key file (`Issued`) from `centre` for `iin` and `purpose`, issued once per run for the
    same arguments (RSA key generation is the slow part of the tests)."""
    key = (str(centre.directory), iin, purpose, password, name, tuple(sorted(subject.items())))
    if key not in _key_files:
        _key_files[key] = centre.issue(iin=iin, purpose=purpose, password=password, name=name, **subject)
    return _key_files[key]
