"""Demo reception clerks (called by `demo load`, after `seed_providers`).

The office channel's reception needs an `office-clerk` at every provider whose regulations have
a paper channel; where a regulation's internal procedure names no clerk (Mangystau, South
Kazakhstan, the 2013 ministry approvals) `seed_providers` made none. This adds one, named like
the other demo logins (`<initials of the provider code>[-reg].office-clerk`, password `demo`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from qyzmet.intake.paper.reception import CLERK, paper_channel
from qyzmet.providers.models import Provider, StaffRole
from qyzmet.regulations.models import Regulation

from .providers import DEMO_PASSWORD, short


@transaction.atomic
def seed_reception_clerks() -> list[str]:
    """Give every provider of a paper-channel regulation an office clerk; return the logins made."""
    User = get_user_model()
    codes = {row.provider_code for row in Regulation.objects.all() if paper_channel(row.parsed)}
    made = []
    for provider in Provider.objects.filter(acts_as__in=codes):
        if StaffRole.objects.filter(provider=provider, role=CLERK).exists():
            continue
        prefix = short(provider.acts_as) + (f"-{provider.region[:3]}" if provider.region else "")
        user, created = User.objects.get_or_create(username=f"{prefix}.{CLERK}")
        if created:
            user.set_password(DEMO_PASSWORD)
            user.first_name = "Office clerk"
            user.save()
        StaffRole.objects.get_or_create(user=user, provider=provider, role=CLERK)
        made.append(user.username)
    return made
