"""Where a regulation's service is received, for the catalogue's cards and the regulation's page.

Each channel of the regulation is one way: on the portal ("Apply", the portal's page of the
service, while the regulation is in force today at some provider unit), at the provider's office
(the units acting under the regulation's provider, with their hours) or at a Population Service
Centre. A version not in force today offers no "Apply": it is shown for reference.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from qyzmet.providers.models import Provider

from .schema import OFFICE_CHANNELS, PORTAL_CHANNELS

PORTAL, OFFICE, PSC, OTHER = "portal", "office", "psc", "other"


@dataclass
class Way:
    kind: str  # PORTAL / OFFICE / PSC / OTHER
    channel: object  # the regulation's channel (its `name` in kk/ru/en)
    apply_url: str = ""  # the portal's page of the service, where the request starts
    places: list[Provider] = field(default_factory=list)  # the provider's units (office)


def units_by_provider() -> dict[str, list[Provider]]:
    """The provider units by the regulation provider code they act as (one query per page)."""
    found: dict[str, list[Provider]] = {}
    for unit in Provider.objects.order_by("code"):
        found.setdefault(unit.acts_as, []).append(unit)
    return found


def in_force(row, on: dt.date) -> bool:
    return row.in_force_from <= on and (row.in_force_until is None or on < row.in_force_until)


def ways(reg, row, on: dt.date, units: dict[str, list[Provider]]) -> list[Way]:
    """The ways to receive the service of `reg` (its database `row`) on the day `on`."""
    places = units.get(reg.provider.code, [])
    offered = in_force(row, on) and bool(places)
    found = []
    for channel in reg.channels:
        if channel.code in PORTAL_CHANNELS:
            found.append(Way(PORTAL, channel, apply_url=_portal_page(reg) if offered else ""))
        elif channel.code in OFFICE_CHANNELS:
            found.append(Way(OFFICE, channel, places=places if offered else []))
        elif channel.code == "psc":
            found.append(Way(PSC, channel))
        else:
            found.append(Way(OTHER, channel))
    # one way per kind: a provider's office and its workstation are the same place to go
    kinds, unique = set(), []
    for way in found:
        if way.kind not in kinds:
            kinds.add(way.kind)
            unique.append(way)
    return unique


def _portal_page(reg) -> str:
    act, slug = reg.id.split("/")
    try:
        return reverse("portal:service", kwargs={"act": act, "slug": slug})
    except NoReverseMatch:  # the portal is not installed
        return ""
