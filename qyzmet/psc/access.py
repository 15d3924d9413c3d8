"""Who may see what at a service centre: the one permission chokepoint of the centre's pages.

An operator sees the queue, acceptances and storage of the centres where they hold the role
`psc-operator`; anything of another centre is a 404, as if it did not exist.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Acceptance, Transfer
from .services import centres_of


def operator_required(view):
    """Logged in (else the login page), and an operator of some centre (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not centres_of(request.user).exists():
            raise PermissionDenied("not an operator of any service centre")
        return view(request, *args, **kwargs)

    return wrapped


def centre_for(user, code: str):
    centre = centres_of(user).filter(code=code).first()
    if centre is None:
        raise Http404("no such centre among yours")
    return centre


def acceptance_for(user, centre, number: str) -> Acceptance:
    acceptance = (
        Acceptance.objects.select_related("application", "provider", "regulation", "operator", "centre")
        .filter(centre=centre, number=number)
        .first()
    )
    if acceptance is None:
        raise Http404("no such acceptance at this centre")
    return acceptance


def transfer_for(acceptance: Acceptance, transfer_id) -> Transfer:
    try:
        return acceptance.transfers.get(pk=transfer_id)
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise Http404("no such transfer of this acceptance") from None
