"""Who is calling: a bearer API token (document systems) or the Django session (the browser).

Both resolve to a user, and from there on the API knows only that user: the same roles, the same
providers, the same permission checks as in the office. Session calls that change state need the
CSRF token, as any form in the office does; bearer calls do not, since no browser sends them.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from qyzmet.edge.throttle import check_token_attempt, token_failed

from .models import ApiToken, hash_token

# Writing last_used on every call would make each read a write; a minute is precise enough to
# tell which tokens are still in use.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    def __call__(self, request):
        # ninja's own version logs the whole header (the token) when the scheme is not Bearer
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token: str):
        # The token is a 256-bit random secret, so its SHA-256 needs no slow hash and the check
        # is one read of a unique column; last_used is written at most once a minute.
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), revoked__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            # A wrong token is counted against the client address (edge/throttle.py); past the
            # limit the address hears 429 and its attempts are no longer written. A valid token
            # is not held up: no one guesses a 256-bit secret, and a neighbour behind the same
            # address sending garbage must not stop a document system that has the right one.
            check_token_attempt(request)
            token_failed(request, sender=type(self))
            return None
        now = timezone.now()
        if row.last_used is None or now - row.last_used > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=row.pk).update(last_used=now)
        request.user = row.user
        return row.user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


token_auth = ApiTokenAuth()
session_auth = ActiveSessionAuth()
