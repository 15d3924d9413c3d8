"""The edge's own answers: the error pages (400, 403, CSRF failure, 404, 500) and the sign-in lock-out."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from qyzmet.access import Forbidden

from .logs import current_request_id
from .responses import language_of, problem, wants_json
from .throttle import TOKEN_ACCOUNT, cool_off_seconds

# A database that is restarting or failing over answers again within seconds.
DATABASE_RETRY_AFTER = 5


def server_error(request):
    """handler500: the error is already logged with this request's id (logs.py); the visitor gets
    the id to quote, and no detail of the failure.

    A database that cannot be reached (restarting, failing over, a connection cut) is not the
    request's fault and passes by itself: that gets 503 with Retry-After, so that clients send the
    request again instead of giving up on it (a submission is idempotent by its signature, so a
    request whose filing committed before the connection broke gets its application then)."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    request_id = current_request_id()
    return problem(
        request,
        500,
        _("Something went wrong on our side"),
        _("The request could not be completed. The error has been recorded; try again later."),
        extra={"request_id": request_id},
        context={"request_id": request_id},
    )


def database_unavailable(request):
    request_id = current_request_id()
    return problem(
        request,
        503,
        _("The service is briefly unavailable"),
        lambda: (
            gettext(
                "The service could not reach its database for a moment. Please send the request again "
                "in %(seconds)d seconds; a request that was already received is not filed twice."
            )
            % {"seconds": DATABASE_RETRY_AFTER}
        ),
        retry_after=DATABASE_RETRY_AFTER,
        extra={"request_id": request_id},
        context={"request_id": request_id},
    )


def _page(request, status: int, title, detail):
    """A 403 or 404 page in the site's layout (unlike the 500 page: here the middleware has run,
    so the session, the language and the CSRF token the base template needs are all there).
    Under /api/ the answer is JSON shaped like the API's own errors."""
    if wants_json(request):
        return problem(request, status, title, detail)
    with translation.override(language_of(request)):
        response = render(
            request,
            "edge/error_page.html",
            {"title": str(title), "detail": str(detail), "status": status},
            status=status,
        )
    response["Cache-Control"] = "no-store"
    return response


def page_not_found(request, exception=None):
    """handler404. The message of the exception is not shown: Django's own (a URL resolver's)
    would list the site's URL patterns, and "absent" must read the same whoever asks (access)."""
    return _page(
        request,
        404,
        _("Page not found"),
        _(
            "There is no page at this address, or it is not yours to see. Check the address, or "
            "start again from the home page."
        ),
    )


def bad_request(request, exception=None):
    """handler400 (a request Django cannot take: a malformed upload, too many fields, a
    suspicious operation). What was wrong is logged, not shown."""
    return _page(
        request,
        400,
        _("The request could not be understood"),
        _(
            "What the browser sent could not be read. Go back, reload the page and send it again; "
            "if it happens again, start from the home page."
        ),
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form posted from a page kept open too long (or from another site), or
    without the security cookie. Nothing was done; the visitor reloads the page and sends again."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE

    if reason == REASON_NO_CSRF_COOKIE:
        detail = _(
            "Your browser did not send this site's security cookie, so the form was not accepted "
            "and nothing was done. Allow cookies for this site, reload the page and send the form again."
        )
    else:
        detail = _(
            "The form came from a page that was open too long or from another site, so it was not "
            "accepted and nothing was done. Reload the page and send the form again."
        )
    return _page(request, 403, _("The form has to be sent again"), detail)


def permission_denied(request, exception=None):
    """handler403. A `Forbidden` of access says in the user's words why; any other refusal
    (Django's own) gets the general sentence."""
    detail = (
        str(exception)
        if isinstance(exception, Forbidden) and str(exception)
        else _("Your account may not open this page. Sign in with an account that may, or go back.")
    )
    return _page(request, 403, _("Access denied"), detail)


def locked_out(request, response=None, credentials=None):
    """django-axes' lock-out answer (AXES_LOCKOUT_CALLABLE), for password sign-in everywhere and
    for the wrong API token that reached the limit."""
    if (credentials or {}).get("username") == TOKEN_ACCOUNT:
        return token_throttled(request)
    seconds = cool_off_seconds()
    minutes = max(1, round(seconds / 60))
    return problem(
        request,
        429,
        _("Too many failed sign-in attempts"),
        lambda: (
            ngettext(
                "Too many wrong passwords were tried for this account from your address. Sign-in is "
                "paused for %(minutes)d minute; then try again, or sign in with your EDS.",
                "Too many wrong passwords were tried for this account from your address. Sign-in is "
                "paused for %(minutes)d minutes; then try again, or sign in with your EDS.",
                minutes,
            )
            % {"minutes": minutes}
        ),
        retry_after=seconds,
    )


def token_throttled(request):
    seconds = cool_off_seconds()
    return problem(
        request,
        429,
        _("Too many failed attempts"),
        lambda: (
            gettext(
                "Too many invalid API tokens were sent from your address. Try again in %(seconds)d seconds "
                "with a valid token."
            )
            % {"seconds": seconds}
        ),
        retry_after=seconds,
    )
