"""The applicant's cabinet: GET /me/prefill, /me/applications, /me/applications/{number},
/me/lookups. Everything here is reached through `qyzmet.access` and concerns the caller's own number.

Pre-filling asks the state database (individuals for an IIN, legal entities for a BIN) and keeps
the answer as evidence with its purpose, like every lookup: the applicant sees it in /me/lookups.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile

from qyzmet import clock
from qyzmet.access import (
    access_own_application,
    access_pause_answer,
    applicant_number,
    lookups_for,
    own_applications,
    require_applicant,
)
from qyzmet.engine import services
from qyzmet.gateway.errors import NotFound, Unavailable
from qyzmet.intake import uploads
from qyzmet.intake.online import drafts
from qyzmet.regulations.models import Regulation

from ..schemas import Error
from .present import my_application as application_row
from .present import my_application_detail
from .schemas import LookupRecord, MyApplication, MyApplicationDetail, Prefill

router = Router(tags=["portal: my cabinet"])

# How long to wait before asking again when a state database is unreachable: its breaker's
# cool-down and a call's retries are over by then in the usual case.
RETRY_AFTER_SECONDS = 30


def unavailable(response: HttpResponse, exc: Exception) -> Status:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return Status(
        503,
        {
            "detail": _("The state database cannot be reached now; try again in a minute. (%(error)s)")
            % {"error": exc}
        },
    )


@router.get(
    "/me/prefill",
    response={200: Prefill, 403: Error, 404: Error, 503: Error},
    summary="My record in the state database, to fill in an application form",
)
def portal_prefill(request, response: HttpResponse, service: str):
    """404 when the database has no record of the caller (the regulation's "data cannot be
    obtained"); 503 with Retry-After when it cannot be reached, which says nothing about them."""
    number = applicant_number(request.auth)
    if not Regulation.objects.in_force(clock.today()).filter(service=service).exists():
        raise Http404(_("No service %(service)s is in force today.") % {"service": service})
    try:
        lookup = drafts.look_up_applicant(request.auth, f"pre-filling an application for {service}")
    except NotFound:
        raise Http404(
            _("The state database has no record of %(number)s; apply at the provider's office.")
            % {"number": number}
        ) from None
    except Unavailable as exc:
        return unavailable(response, exc)
    return {
        "system": lookup.system,
        "number": number,
        "looked_up_at": lookup.created_at,
        "data": lookup.answer,
    }


@router.get(
    "/me/applications",
    response={200: list[MyApplication], 403: Error},
    summary="My applications, newest first, whichever channel they were filed through",
)
def portal_my_applications(request):
    apps = (
        own_applications(require_applicant(request.auth))
        .select_related("provider", "regulation")
        .defer("regulation__document")  # parsed from the cache by digest
        .order_by("-filed_at", "-id")
    )
    return [application_row(app) for app in apps]


@router.get(
    "/me/applications/{number}",
    response={200: MyApplicationDetail, 403: Error, 404: Error},
    summary="One of my applications: its steps so far and the expected path with due moments",
)
def portal_my_application(request, number: str):
    return my_application_detail(access_own_application(require_applicant(request.auth), number))


@router.post(
    "/me/applications/{number}/answer",
    response={200: MyApplicationDetail, 400: Error, 403: Error, 404: Error, 409: Error},
    summary="Answer what the provider asked while the legal clock stands still (a text and documents)",
)
def portal_answer_pause(request, number: str, answer: Form[str] = "", files: File[list[UploadedFile]] = None):
    """Multipart: `answer` (text) and `files` (PDF, JPEG or PNG, checked by their first bytes).
    The answer restarts the clock and moves the due moments, as the cabinet's form does; 403 when
    nothing is asked of the caller in this application."""
    user = require_applicant(request.auth)
    app = access_pause_answer(user, access_own_application(user, number))
    try:
        checked = [uploads.check(f) for f in files or ()]
        services.answer_pause(app.pk, user, answer, checked)
    except ValidationError as exc:
        return Status(400, {"detail": " ".join(exc.messages)})
    except services.EngineError as exc:
        return Status(409, {"detail": str(exc)})
    return my_application_detail(access_own_application(user, number))


@router.get(
    "/me/lookups",
    response={200: list[LookupRecord], 403: Error},
    summary="Every lookup of my data in the state databases: when, where, why, at whose request",
)
def portal_my_lookups(request):
    """Lookups of the caller's number, and of entities whose record names them as head."""
    rows = lookups_for(require_applicant(request.auth)).order_by("-created_at", "-id")
    return [
        {
            "at": row.created_at,
            "system": row.system,
            "purpose": row.purpose,
            "initiated_by": row.initiated_by,
            "found": row.found,
            "application_number": row.application_number,
        }
        for row in rows
    ]
