"""Demo Population Service Centres and their operators (called by `demo load`).

Each centre is a `Provider` acting as `psc`, with two operators (`<code>.operator`,
`<code>.operator2`, password `demo`) holding the role `psc-operator`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from qyzmet.providers.models import Provider, StaffRole
from qyzmet.psc.models import ACTS_AS, OPERATOR

from .providers import DEMO_PASSWORD

CENTRES = {
    "psc-almaty-1": (
        "almaty",
        {
            "kk": "Алматы қаласының №1 халыққа қызмет көрсету орталығы",
            "ru": "Центр обслуживания населения №1 города Алматы",
            "en": "Population Service Centre No. 1, Almaty",
        },
    ),
    "psc-aktau-1": (
        "mangystau",
        {
            "kk": "Ақтау қаласының №1 халыққа қызмет көрсету орталығы",
            "ru": "Центр обслуживания населения №1 города Актау",
            "en": "Population Service Centre No. 1, Aktau",
        },
    ),
    "psc-astana-1": (
        "astana",
        {
            "kk": "Астана қаласының №1 халыққа қызмет көрсету орталығы",
            "ru": "Центр обслуживания населения №1 города Астаны",
            "en": "Population Service Centre No. 1, Astana",
        },
    ),
}


@transaction.atomic
def seed_centres(with_staff: bool = True) -> list[Provider]:
    User = get_user_model()
    centres = []
    for code, (region, name) in CENTRES.items():
        centre, _ = Provider.objects.update_or_create(
            code=code, defaults={"acts_as": ACTS_AS, "name": name, "region": region}
        )
        centres.append(centre)
        if not with_staff:
            continue
        for login in (f"{code}.operator", f"{code}.operator2"):
            user, created = User.objects.get_or_create(username=login)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.first_name = "PSC operator"
                user.save()
            StaffRole.objects.get_or_create(user=user, provider=centre, role=OPERATOR)
    return centres
