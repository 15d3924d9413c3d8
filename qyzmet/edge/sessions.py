"""Signed-in requests resolved by one indexed read: the session row joined to its user.

Django's database sessions read the session by its key, then `AuthenticationMiddleware` reads the
user by the id the session holds: two round trips before any view runs. Here the session row also
names its user (`models.Session.user`, written whenever the session is saved), so loading the
session brings the user along in the same statement (`SESSION_ENGINE = "qyzmet.edge.sessions"`),
and `SessionUserMiddleware` takes the user from there. The checks are Django's own
(`django.contrib.auth.get_user`): the backend that signed the person in must still be configured,
the account must still be allowed to sign in (active), and the session's hash of the password
must still match, so that changing the password signs out every other session. Any other case
(another backend, a session saved without its user) falls back to Django's way.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject


class SessionStore(DatabaseSessionStore):
    """Database sessions whose row names the signed-in user, read with it in one statement."""

    user = None  # the session's user, as read with the session by `load`

    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = _user_id(data.get(SESSION_KEY))
        return session

    def _get_session_from_db(self):
        try:
            session = self.model.objects.select_related("user").get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation):
            # Django's store logs a malformed key; here it is simply no session, as a wrong one is
            self._session_key = None
            return None
        self.user = session.user
        return session


def _user_id(value):
    if value is None:
        return None
    try:
        return auth.get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


def get_user(request):
    """`django.contrib.auth.get_user`, taking the user the session was read with."""
    session = request.session
    try:
        user_id = _user_id(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    user = getattr(session, "user", None)
    if user is None or user.pk != user_id or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    backend = load_backend(backend_path)
    if not isinstance(backend, ModelBackend):
        return auth.get_user(request)
    if not backend.user_can_authenticate(user):
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = current
        return user
    session.flush()
    return AnonymousUser()


class SessionUserMiddleware(AuthenticationMiddleware):
    """`AuthenticationMiddleware`, with the user read together with the session."""

    def process_request(self, request):
        super().process_request(request)  # Django's check that a session middleware comes first
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    if not hasattr(request, "_cached_user"):  # where Django's middleware keeps it, as login() does
        request._cached_user = get_user(request)
    return request._cached_user
