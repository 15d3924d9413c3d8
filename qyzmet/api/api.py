"""The back-office API (version 1): staff actions for a provider's own document system.

Each endpoint is a thin function in the module of its group; all of them reach applications
through `access` (the permission chokepoint) and change them only through `engine.services`,
which writes the audit log. Engine refusals become JSON errors: `NotPermitted` 403, any other
`EngineError` (already completed, not allowed by the regulation or the application's state) 409,
each with the engine's own message in `detail`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from qyzmet.edge.throttle import TokenThrottled
from qyzmet.edge.views import token_throttled
from qyzmet.engine.services import EngineError, NotPermitted

from . import applications, clock, conclusions, dashboard, inbox, portal, steps
from .auth import session_auth, token_auth
from .docs import LocalSwagger


class BackOfficeAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # the view's own name (complete_step, pause_clock, ...): stable names for generated clients
        return operation.view_func.__name__


api = BackOfficeAPI(
    title="Qyzmet back office",
    version="1",
    description=(
        "Staff actions on applications, for a provider's own document system. Authenticate with "
        "`Authorization: Bearer <token>` (`python -m qyzmet api token USERNAME`) or, from the browser, "
        "the Django session (state changes then need the CSRF token). A token acts as its user: only "
        "that user's providers' applications exist for it (others are 404), and only steps of that "
        "user's roles can be acted on (403). Texts follow Accept-Language (kk, ru, en)."
    ),
    urls_namespace="api",
    auth=[token_auth, session_auth],
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = api.create_response(
        request,
        {"detail": _("Sign in, or send a valid API token as: Authorization: Bearer <token>.")},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(TokenThrottled)
def too_many_bad_tokens(request, exc):
    return token_throttled(request)


@api.exception_handler(Http404)
def not_found(request, exc):
    # our 404 messages only repeat what the caller asked for (see qyzmet.access), so they can be shown
    return api.create_response(request, {"detail": str(exc) or _("Not found.")}, status=404)


@api.exception_handler(NotPermitted)
def not_permitted(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    # `qyzmet.access` refusing something the caller sees (its messages say why, nothing more)
    return api.create_response(request, {"detail": str(exc) or _("Forbidden.")}, status=403)


@api.exception_handler(EngineError)
def refused_by_engine(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


for group in (inbox, applications, steps, conclusions, clock, dashboard):
    api.add_router("/", group.router)
# The applicant API: the same tokens and sessions, and the same permission chokepoint.
api.add_router("/portal/", portal.router)
