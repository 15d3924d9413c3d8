"""The back office's doors: who may open its pages at all.

Everything past the door (which applications, steps, conclusions and receipts a member of staff
sees, and what they may do to them) is decided in `qyzmet.access`, which views call directly.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from qyzmet.access import access_reception_refusal, access_registration, is_clerk, is_staff
from qyzmet.intake.paper.models import ReceptionRefusal, Registration


def office_staff_required(view):
    """Logged in (else the login page), and staff of some provider (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_staff(request.user):
            raise PermissionDenied("not a member of any provider's staff")
        return view(request, *args, **kwargs)

    return wrapped


def clerk_required(view):
    """Logged in (else the login page), and an office clerk of some provider (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_clerk(request.user):
            raise PermissionDenied("not an office clerk of any provider")
        return view(request, *args, **kwargs)

    return wrapped


def reception_refusal_for(user, number: str) -> ReceptionRefusal:
    """A refusal-to-accept receipt by number, if `access` lets the user see it (else 404)."""
    found = ReceptionRefusal.objects.select_related("provider", "regulation", "clerk").filter(number=number)
    return access_reception_refusal(user, found.first())


def registration_for(user, pk) -> Registration:
    """A paper registration made at an office, if `access` lets the user see it (else 404)."""
    found = Registration.objects.select_related("provider", "regulation", "application").filter(
        pk=pk, desk=Registration.Desk.OFFICE
    )
    return access_registration(user, found.first())
