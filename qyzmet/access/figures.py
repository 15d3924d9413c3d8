"""Compliance figures and refusal drift: whose figures a person sees.

Three audiences, three rules:

* the public sees per-service and per-provider aggregates of every provider as open data
  (counts and shares, never an application, an applicant or an officer): no rule to ask;
* a provider's staff (any role there) see their own providers' figures, down to steps and
  officers;
* a supervisor (the role `supervisor` at a ministry or an akimat) sees the figures of every
  provider its provider `supervises`, and the refusal-drift flags among them; a superuser sees
  every provider's.

Figures are aggregates: seeing a provider's figures is not seeing its applications
(`staff_applications` still decides that, and a supervisor has none of them).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from qyzmet.engine.models import Application
from qyzmet.providers.models import SUPERVISOR, Provider, StaffRole

from .errors import NotFound
from .people import is_superuser, staff_providers


def supervised_providers(user) -> QuerySet[Provider]:
    """The providers supervised by a provider where `user` is a supervisor (all for a superuser)."""
    if is_superuser(user):
        return Provider.objects.all()
    if user is None or not user.is_authenticated:
        return Provider.objects.none()
    # One filter() call: the supervisor role and the user are the same StaffRole row.
    return Provider.objects.filter(
        supervisors__staff__user=user, supervisors__staff__role=SUPERVISOR
    ).distinct()


def is_supervisor(user) -> bool:
    """Whether `user` supervises some provider (the drift flags are theirs)."""
    if is_superuser(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    return StaffRole.objects.filter(user=user, role=SUPERVISOR, provider__supervises__isnull=False).exists()


def figure_providers(user) -> QuerySet[Provider]:
    """The providers whose figures `user` sees in the back office: their own and those they supervise."""
    if is_superuser(user):
        return Provider.objects.all()
    if user is None or not user.is_authenticated:
        return Provider.objects.none()
    own = staff_providers(user).values("pk")
    supervised = supervised_providers(user).values("pk")
    return Provider.objects.filter(Q(pk__in=own) | Q(pk__in=supervised))


def figure_applications(user) -> QuerySet[Application]:
    """The applications counted in the figures `user` sees (counted, not shown)."""
    if is_superuser(user):
        return Application.objects.all()
    # The few provider ids first: a plain IN list plans better than the OR of two subqueries.
    return Application.objects.filter(
        provider_id__in=list(figure_providers(user).values_list("pk", flat=True))
    )


def access_figures_of(user, code: str) -> Provider:
    """One provider whose figures `user` sees, by code (404 otherwise)."""
    provider = figure_providers(user).filter(code=code).first()
    if provider is None:
        raise NotFound(_("No provider %(code)s among the providers whose figures you see.") % {"code": code})
    return provider
