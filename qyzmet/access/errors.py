"""How access says no.

What a user may not see is reported as absent (`Http404`, from Django), never as forbidden, so
no page or answer confirms that another person's or provider's object exists. What they may see
but not do is `Forbidden` (403): a `PermissionDenied`, which Django turns into a 403 page and the
API into a JSON error. The messages repeat only what the caller asked for.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404


class Forbidden(PermissionDenied):
    """The user sees the object but may not do this to it; the message says why."""


class NotFound(Http404):
    """Absent, or not this user's to see: the two look the same."""
