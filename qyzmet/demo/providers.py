"""Provider organisations and demo staff, derived from the regulation catalogue.

Every provider code in the catalogue becomes a `Provider`; a territorial provider becomes one
unit per region below. Each unit gets one demo member of staff per role its regulations name
(the actors of kind person or unit), plus a head, so that every step has someone to perform it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from qyzmet.providers.models import SUPERVISOR, Provider, StaffRole
from qyzmet.regulations.models import Regulation

REGIONS = {
    "almaty": {"kk": "Алматы қаласы", "ru": "город Алматы", "en": "Almaty city"},
    "astana": {"kk": "Астана қаласы", "ru": "город Астана", "en": "Astana city"},
    "mangystau": {"kk": "Маңғыстау облысы", "ru": "Мангистауская область", "en": "Mangystau region"},
}
DEMO_PASSWORD = "demo"  # noqa: S105 (published demo logins, printed by make run)


def _roles_by_provider() -> dict[str, tuple[dict, bool, set[str]]]:
    found: dict[str, tuple[dict, bool, set[str]]] = {}
    for row in Regulation.objects.all():
        reg = row.parsed
        name = reg.provider.name.model_dump()
        _, territorial, roles = found.setdefault(reg.provider.code, (name, reg.provider.territorial, set()))
        for flow in reg.procedures:
            for step in flow.steps:
                actor = reg.actor(step.actor)
                if actor and actor.kind in ("person", "unit"):
                    roles.add(actor.code)
        roles.add("head")
    return found


def short(code: str) -> str:
    """A short login prefix for a provider code: initials of its words."""
    return "".join(part[0] for part in code.split("-") if part)[:8]


@transaction.atomic
def seed_providers(with_staff: bool = True) -> list[Provider]:
    User = get_user_model()
    providers = []
    for code, (name, territorial, roles) in _roles_by_provider().items():
        units = [(code, name, "")]
        if territorial:
            units = [
                (f"{code}--{region}", {k: f"{name[k]} ({label[k]})" for k in name}, region)
                for region, label in REGIONS.items()
            ]
        for unit_code, unit_name, region in units:
            provider, _ = Provider.objects.update_or_create(
                code=unit_code, defaults={"acts_as": code, "name": unit_name, "region": region}
            )
            providers.append(provider)
            if not with_staff:
                continue
            prefix = short(code) + (f"-{region[:3]}" if region else "")
            for role in sorted(roles):
                user, created = User.objects.get_or_create(username=f"{prefix}.{role}")
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.first_name = role.replace("-", " ").capitalize()
                    user.save()
                StaffRole.objects.get_or_create(user=user, provider=provider, role=role)
    return providers


# The Ministry of Health supervises its committees, their territorial units, the health insurance
# fund's branches and the regions' health departments (every provider whose regulation code says
# health), and `moh.supervisor` sees their figures and refusal drift in the office.
MINISTRY = "ministry-of-health"
SUPERVISOR_LOGIN = "moh.supervisor"


def _health(acts_as: str) -> bool:
    return (
        acts_as.startswith("mh-")
        or "health" in acts_as
        or acts_as in ("shif-branches", "mangystau-pho-organisations")
    )


@transaction.atomic
def seed_supervisors() -> list[str]:
    """The ministry's supervisor and the providers it supervises (none when the ministry is not
    in the catalogue); returns the supervisor logins."""
    ministry = Provider.objects.filter(code=MINISTRY).first()
    if ministry is None:
        return []
    supervised = [
        p for p in Provider.objects.exclude(acts_as="psc") if _health(p.acts_as) or p.acts_as == MINISTRY
    ]
    ministry.supervises.add(*supervised)
    user, created = get_user_model().objects.get_or_create(username=SUPERVISOR_LOGIN)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.first_name = "Supervisor"
        user.save()
    StaffRole.objects.get_or_create(user=user, provider=ministry, role=SUPERVISOR)
    return [user.username]
