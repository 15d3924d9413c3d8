"""The portal's door, and fetching its drafts for `qyzmet.access` to judge.

An applicant is a user whose username is a valid IIN or BIN. Whose applications and drafts are
whose is `qyzmet.access`'s rule: another applicant's number looks exactly like a number that
does not exist (404).
"""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from qyzmet.access import access_draft, is_applicant
from qyzmet.access import is_entity as is_entity  # the request pages and drafts ask it here

from .models import Draft


def applicant_required(view):
    """Send anyone who is not signed in as an applicant to the portal's sign-in page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_applicant(request.user):
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        return view(request, *args, **kwargs)

    return wrapped


def draft_for(user, draft_id: int, *, editable: bool = False) -> Draft:
    """The draft if it is the user's (else 404); with `editable`, only while it is being edited."""
    drafts = Draft.objects.select_related("regulation", "provider")
    if editable:
        drafts = drafts.filter(state=Draft.State.EDITING)
    return access_draft(user, drafts.filter(pk=draft_id).first())
