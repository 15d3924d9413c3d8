"""Who is calling: a bearer API token (document systems) or the Django session (the browser).

Both resolve to a user, and from there on the API knows only that user: the same roles, the same
providers, the same permission checks as in the office. Session calls that change state need the
CSRF token, as any form in the office does; bearer calls do not, since no browser sends them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connections
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
        row = _token_user(hash_token(token))
        if row is None:
            # A wrong token is counted against the client address (edge/throttle.py); past the
            # limit the address hears 429 and its attempts are no longer written. A valid token
            # is not held up: no one guesses a 256-bit secret, and a neighbour behind the same
            # address sending garbage must not stop a document system that has the right one.
            check_token_attempt(request)
            token_failed(request, sender=type(self))
            return None
        token_id, last_used, user = row
        now = timezone.now()
        if last_used is None or now - last_used > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token_id).update(last_used=now)
        request.user = user
        return user


def _token_user(key_hash: str):
    """(token id, last used, its user) for a valid token of an active user, or None: one read of
    the token's unique index joined to the user's row, the statement written once per process
    rather than compiled by the ORM on every call."""
    connection = connections[ApiToken.objects.db]
    if connection.vendor != "postgresql":  # SQLite (the embedded default) hands back moments as text
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=key_hash, revoked__isnull=True, user__is_active=True)
            .first()
        )
        return None if token is None else (token.pk, token.last_used, token.user)
    User = get_user_model()
    fields = User._meta.concrete_fields
    sql = _TOKEN_USER.get(connection.alias)
    if sql is None:
        quote = connection.ops.quote_name
        sql = _TOKEN_USER[connection.alias] = (
            f"SELECT t.id, t.last_used, {', '.join('u.' + quote(f.column) for f in fields)} "  # noqa: S608 (names from the models)
            f"FROM {quote(ApiToken._meta.db_table)} t JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
            "WHERE t.key_hash = %s AND t.revoked IS NULL AND u.is_active"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        f.from_db_value(v, None, connection) if v is not None and hasattr(f, "from_db_value") else v
        for f, v in zip(fields, row[2:], strict=True)
    ]
    return row[0], row[1], User.from_db(connection.alias, None, values)


_TOKEN_USER: dict[str, str] = {}  # the statement, per database alias


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


token_auth = ApiTokenAuth()
session_auth = ActiveSessionAuth()
