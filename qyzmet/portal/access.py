"""Who may see what on the portal: the one place that answers it.

An applicant is a user whose username is a valid IIN or BIN. Views fetch drafts and applications
only through `draft_for` and `application_for`, which return the object when it is the user's
and raise Http404 otherwise, so another applicant's number looks exactly like a number that does
not exist.
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from qyzmet.engine.models import Application
from qyzmet.identity import numbers

from .models import Draft


def is_applicant(user) -> bool:
    return bool(user.is_authenticated and numbers.problem(user.get_username()) is None)


def is_entity(user) -> bool:
    """A legal entity's account (the username is a BIN, not an IIN)."""
    name = user.get_username()
    return numbers.iin_problem(name) is not None and numbers.bin_problem(name) is None


def applicant_required(view):
    """Send anyone who is not signed in as an applicant to the portal's sign-in page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_applicant(request.user):
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        return view(request, *args, **kwargs)

    return wrapped


def my_applications(user):
    """Applications of the person or entity signed in: filed by this account, or in its number."""
    return Application.objects.filter(Q(applicant_user=user) | Q(applicant=user.get_username()))


def application_for(user, number: str) -> Application:
    app = my_applications(user).select_related("provider", "regulation").filter(number=number).first()
    if app is None:
        raise Http404("no such application")
    return app


def draft_for(user, draft_id: int, *, editable: bool = False) -> Draft:
    drafts = Draft.objects.filter(user=user).select_related("regulation", "provider")
    if editable:
        drafts = drafts.filter(state=Draft.State.EDITING)
    draft = drafts.filter(pk=draft_id).first()
    if draft is None:
        raise Http404("no such draft")
    return draft
