"""The register of issued permits, as staff see it.

The register itself is public: anyone may search it, verify a number or a QR code and download
an entry's signed document, signed in or not, so those pages ask nothing here. Staff
additionally see the entries of their own providers with what only staff see. The licensor's
staff of the provider that issued an entry (its head and its officers, not the office clerk who
registers the mail), or a superuser, suspend, resume, withdraw or terminate it, and decide the
terminations the register's watch proposes.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qyzmet.providers.models import OFFICE_CLERK
from qyzmet.registry.models import RegisterEntry

from .errors import Forbidden, NotFound
from .people import is_superuser, roles_at, staff_providers


def register_entries_as_staff(user) -> QuerySet[RegisterEntry]:
    if is_superuser(user):
        return RegisterEntry.objects.all()
    return RegisterEntry.objects.filter(provider__in=staff_providers(user))


def access_register_entry_as_staff(user, number: str) -> RegisterEntry:
    entry = register_entries_as_staff(user).select_related("provider").filter(number=number).first()
    if entry is None:
        raise NotFound(_("No entry %(number)s among your providers' entries.") % {"number": number})
    return entry


def may_change_register_entry(user, entry: RegisterEntry) -> bool:
    """Suspending, resuming, withdrawing or terminating an entry: the licensor's staff of the
    provider that issued it (any role there but the office clerk's), or a superuser."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    return user.is_superuser or bool(set(roles_at(user, entry.provider_id)) - {OFFICE_CLERK})


def access_register_entry_to_change(user, number: str) -> RegisterEntry:
    entry = access_register_entry_as_staff(user, number)
    if not may_change_register_entry(user, entry):
        raise Forbidden(_("Only the licensor's staff of the provider change the status of its entries."))
    return entry
