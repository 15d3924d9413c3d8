"""Who someone is to the platform: an applicant, staff of some providers, an operator of some
centres, a superuser; anonymous visitors are none of these.

* An **applicant** is a signed-in account whose username is a valid IIN (a person) or BIN (a
  legal entity): the portal knows them by that number alone.
* **Staff** hold roles at providers (`StaffRole`): the regulation's actor codes, and `head`.
  A superuser counts as staff of every provider.
* A **centre operator** holds `psc-operator` at a provider row acting as `psc`.

A staff account's username is not a number, so nobody is applicant and staff at once by accident.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qyzmet.identity import numbers
from qyzmet.providers.models import OFFICE_CLERK, PSC, PSC_OPERATOR, Provider, StaffRole

from .errors import Forbidden


def is_superuser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def is_applicant(user) -> bool:
    return bool(user is not None and user.is_authenticated and numbers.problem(user.get_username()) is None)


def is_entity(user) -> bool:
    """A legal entity's account (the username is a BIN, not an IIN)."""
    return numbers.is_entity_number(user.get_username())


def applicant_kind_of(user) -> str | None:
    """The kind of applicant an applicant's account is, in the regulations' terms: a legal
    entity's (or a joint business's) by its BIN, else a person's (`numbers.applicant_kind`)."""
    return numbers.applicant_kind(user.get_username(), entity=is_entity(user))


def applicant_number(user) -> str:
    """The applicant's IIN/BIN; anyone else (staff, anonymous) is refused (403)."""
    if not is_applicant(user):
        raise Forbidden(_("Portal actions need an applicant's account: its username is the IIN or BIN."))
    return user.get_username()


def require_applicant(user):
    """`user` when they are an applicant, else 403: the applicant's side of the API turns staff
    accounts away rather than show them an empty cabinet."""
    applicant_number(user)
    return user


def staff_providers(user) -> QuerySet[Provider]:
    """The providers where `user` holds a role; every provider for a superuser."""
    if is_superuser(user):
        return Provider.objects.all()
    if user is None or not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(staff__user=user).distinct()


def roles_at(user, provider) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    return set(StaffRole.objects.filter(user=user, provider=provider).values_list("role", flat=True))


def is_staff(user) -> bool:
    """Staff of some provider (the back office's door)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or StaffRole.objects.filter(user=user).exists()


def clerk_providers(user) -> QuerySet[Provider]:
    """The providers where `user` is an office clerk (the role paper reception needs)."""
    if user is None or not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(staff__user=user, staff__role=OFFICE_CLERK).distinct()


def is_clerk(user) -> bool:
    """An office clerk of some provider (the reception desk's door)."""
    return bool(
        user is not None
        and user.is_authenticated
        and StaffRole.objects.filter(user=user, role=OFFICE_CLERK).exists()
    )


def operator_centres(user) -> QuerySet[Provider]:
    """The Population Service Centres where `user` is an operator.

    A superuser is not an operator: acceptance at a centre is done by a person at its counter,
    and the centre's services refuse anyone else (`psc.services`)."""
    if user is None or not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(acts_as=PSC, staff__user=user, staff__role=PSC_OPERATOR).distinct()


def is_operator(user) -> bool:
    """An operator of some centre (the centre's door)."""
    return operator_centres(user).exists()


def is_operator_of(user, centre: Provider) -> bool:
    return (
        centre.acts_as == PSC
        and user is not None
        and user.is_authenticated
        and StaffRole.objects.filter(user=user, provider=centre, role=PSC_OPERATOR).exists()
    )
