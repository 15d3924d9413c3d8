"""Brute-force throttling: password sign-in through django-axes, API tokens through the same.

Password sign-in (portal, office, admin) goes through `django.contrib.auth.authenticate`, where
axes' backend counts failures per account and client address (AXES_LOCKOUT_PARAMETERS) and locks
out after AXES_FAILURE_LIMIT of them for AXES_COOLOFF_TIME; `views.locked_out` answers.

API tokens never pass through `authenticate`: a wrong token is reported to axes as a failed
sign-in of the pseudo-account TOKEN_ACCOUNT (no real username can contain a space), so failures
count per client address in the same table, shared by all server processes. Past the limit a
wrong token is answered 429 and not recorded again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT
off), so a flood of bad tokens costs two indexed reads each and no write. A valid token is checked
as before, with no read of the failure table: guessing a 256-bit token is hopeless anyway, and a
neighbour behind the same address sending garbage must not lock out a system that has the right
one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_login_failed

TOKEN_ACCOUNT = "api token"  # noqa: S105 (an account name, not a secret)
_CREDENTIALS = {"username": TOKEN_ACCOUNT}


class TokenThrottled(Exception):
    """Too many wrong API tokens from this client address."""


def check_token_attempt(request) -> None:
    """Raise TokenThrottled when this address is locked out of token sign-in."""
    from axes.handlers.proxy import AxesProxyHandler

    if not AxesProxyHandler.is_allowed(request, _CREDENTIALS):
        raise TokenThrottled


def token_failed(request, sender) -> None:
    """Count a wrong token against the client's address."""
    user_login_failed.send(sender=sender, credentials=dict(_CREDENTIALS), request=request)


def cool_off_seconds() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return int(cool_off.total_seconds()) if cool_off is not None else 3600
