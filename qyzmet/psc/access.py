"""The service centre's door, and fetching its rows for `qyzmet.access` to judge.

An operator sees the queue, acceptances and storage of the centres where they hold the role
`psc-operator`; anything of another centre is a 404, as if it did not exist. The rule is
`qyzmet.access`'s; these functions only find the rows it is asked about.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from qyzmet.access import access_acceptance, access_transfer, is_operator

from .models import Acceptance, Transfer


def operator_required(view):
    """Logged in (else the login page), and an operator of some centre (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_operator(request.user):
            raise PermissionDenied("not an operator of any service centre")
        return view(request, *args, **kwargs)

    return wrapped


def acceptance_for(user, centre, number: str) -> Acceptance:
    found = Acceptance.objects.select_related("application", "provider", "regulation", "operator", "centre")
    return access_acceptance(user, found.filter(centre=centre, number=number).first())


def transfer_for(user, acceptance: Acceptance, transfer_id) -> Transfer:
    try:
        found = acceptance.transfers.filter(pk=transfer_id).first()
    except (ValueError, TypeError):
        found = None
    return access_transfer(user, acceptance, found)
