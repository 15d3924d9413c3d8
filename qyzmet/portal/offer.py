"""What the portal offers today: the services whose regulation is in force at some provider, with
their passports, grouped by provider and by topic.

A service is offered when its regulation is in force on `clock.today()` and at least one provider
unit acts under that regulation's provider code; it can be requested on the portal when the
regulation has an e-government or E-licensing portal channel for the variant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from qyzmet import clock
from qyzmet.engine.fees import FeeDue, fee_for
from qyzmet.intake.online.drafts import portal_channel
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation

# Regulations carry no topic; the portal groups services by words of their code.
TOPICS = [
    (
        "health",
        _("Health care and medicines"),
        (
            "medic",
            "pharma",
            "narcotic",
            "clinical",
            "specialist",
            "qualification",
            "organs",
            "stem-cells",
            "pho-",
            "free-medical",
        ),
    ),
    ("agriculture", _("Agriculture and veterinary"), ("veterinary", "pesticides", "cotton")),
    ("transport", _("Transport"), ("transport", "bus")),
    ("industry", _("Industry and trade"), ("scrap", "metal")),
]
OTHER_TOPIC = ("other", _("Other services"))


def topic_of(service: str) -> tuple[str, str]:
    for code, label, words in TOPICS:
        if any(word in service for word in words):
            return code, label
    return OTHER_TOPIC


@dataclass
class VariantPassport:
    code: str
    name: object  # regulations Text
    term: object  # a norm or None
    term_source: object
    fee: FeeDue | None
    has_fee: bool  # the variant carries a fee, even when no figure is known for the year
    portal_channel: str | None  # the portal channel to request it through, if any


@dataclass
class Passport:
    row: Regulation
    reg: object  # the parsed regulation
    act: str
    slug: str
    topic: tuple[str, str]
    variants: list[VariantPassport] = field(default_factory=list)

    @property
    def channels(self):
        return self.reg.channels

    @property
    def requestable(self) -> bool:
        return any(v.portal_channel for v in self.variants)


def passport(row: Regulation, on: dt.date | None = None) -> Passport:
    reg = row.parsed
    year = (on or clock.today()).year
    act, slug = reg.id.split("/")
    return Passport(
        row=row,
        reg=reg,
        act=act,
        slug=slug,
        topic=topic_of(reg.service),
        variants=[
            VariantPassport(
                code=v.code,
                name=v.name,
                term=v.term,
                term_source=v.term_source,
                fee=fee_for(reg, v.code, year),
                has_fee=v.fee is not None,
                portal_channel=portal_channel(reg, v.code),
            )
            for v in reg.variants
        ],
    )


def in_force_today(on: dt.date | None = None):
    """Regulation rows in force on the day at some provider unit."""
    on = on or clock.today()
    codes = Provider.objects.values_list("acts_as", flat=True)
    return Regulation.objects.in_force(on).filter(provider_code__in=codes).order_by("id")


def offered(on: dt.date | None = None) -> list[Passport]:
    on = on or clock.today()
    return [passport(row, on) for row in in_force_today(on)]


def offered_regulation(regulation_id: str, on: dt.date | None = None) -> Regulation | None:
    """The regulation row if it is offered today, else None."""
    return in_force_today(on).filter(pk=regulation_id).first()
