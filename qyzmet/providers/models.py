"""Provider organisations and their staff's roles.

A regulation names its provider by a code (`provider.code` in the YAML). Most providers are one
organisation; a provider marked `territorial` (e.g. the territorial departments of a ministry's
committee) is a set of units, one per region, each a `Provider` row pointing at the regulation's
code through `acts_as`. Staff roles are the regulation's actor codes (office-clerk, head,
executor, ...), so the engine can route each step to the people who may perform it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qyzmet.i18n import in_language

# Roles the platform itself relies on (the others are whatever actor codes the regulations name).
HEAD = "head"  # may act on any step of the provider, and overdue steps are escalated to them
OFFICE_CLERK = "office-clerk"  # accepts paper at the provider's office
PSC_OPERATOR = "psc-operator"  # accepts and hands over documents at a Population Service Centre
PSC = "psc"  # the `acts_as` of a Population Service Centre's provider row
# Sees the compliance figures and refusal drift of the providers its provider supervises (a
# ministry over its committees and departments, an akimat over its departments): `supervises`.
SUPERVISOR = "supervisor"


class Provider(models.Model):
    code = models.SlugField(max_length=160, unique=True)
    acts_as = models.SlugField(
        max_length=160, db_index=True, help_text=_("the provider code used in regulation files")
    )
    name = models.JSONField(help_text="kk/ru/en")
    region = models.CharField(max_length=80, blank=True)
    opens = models.TimeField(default=dt.time(9, 0))
    closes = models.TimeField(default=dt.time(18, 30))
    lunch_start = models.TimeField(null=True, blank=True, default=dt.time(13, 0))
    lunch_end = models.TimeField(null=True, blank=True, default=dt.time(14, 30))
    # The providers this one supervises (a ministry its committees and their territorial units,
    # an akimat its departments): its `supervisor` staff see their figures.
    supervises = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="supervisors",
        help_text=_("providers it supervises"),
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_language(self.name) or self.code

    def calendar(self):
        """The provider's working calendar (Kazakhstan's days off, its own hours)."""
        from qyzmet.calendar.workcal import WorkCalendar, WorkingHours

        return _calendar(
            self.opens, self.closes, self.lunch_start, self.lunch_end, WorkCalendar, WorkingHours
        )


def calendar_for_hours(opens, closes, lunch_start=None, lunch_end=None):
    """The working calendar of a provider known only by its hours (as the engine reads them)."""
    from qyzmet.calendar.workcal import WorkCalendar, WorkingHours

    return _calendar(opens, closes, lunch_start, lunch_end, WorkCalendar, WorkingHours)


def _calendar(opens, closes, lunch_start, lunch_end, WorkCalendar, WorkingHours):  # noqa: N803
    key = (opens, closes, lunch_start, lunch_end)
    if key not in _CALENDARS:
        _CALENDARS[key] = WorkCalendar(WorkingHours(opens, closes, lunch_start, lunch_end))
    return _CALENDARS[key]


_CALENDARS: dict = {}


class StaffRole(models.Model):
    """One role a person holds at one provider (a person may hold several)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="staff")
    role = models.SlugField(max_length=80, help_text=_("an actor code of the regulations"))

    class Meta:
        unique_together = [("user", "provider", "role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} @ {self.provider.code}"


def providers_of(user) -> models.QuerySet:
    return Provider.objects.filter(staff__user=user).distinct()


def roles_of(user, provider) -> set[str]:
    return set(StaffRole.objects.filter(user=user, provider=provider).values_list("role", flat=True))


class Officer(models.Model):
    """Who a member of staff is, as the certification centre names them: their IIN.

    A head signs results with their own EDS (an employee key naming their IIN and the provider's
    BIN); the signature is accepted only from the certificate of the officer who signs."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer")
    iin = models.CharField(_("IIN"), max_length=12, db_index=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.iin})"

    def clean(self):
        from django.core.exceptions import ValidationError

        from qyzmet.identity.numbers import iin_problem

        problem = iin_problem(self.iin)
        if problem:
            raise ValidationError({"iin": problem})


def iin_of(user) -> str:
    """The IIN recorded for a member of staff ("" when none is)."""
    found = Officer.objects.filter(user_id=getattr(user, "pk", None)).values_list("iin", flat=True).first()
    return found or ""
