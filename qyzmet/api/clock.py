"""POST /applications/{number}/pause and /resume: stop and restart the legal clock.

Resuming moves the application's and its open steps' due moments by the time the clock stood
still (`services.resume`).
"""

from __future__ import annotations

from ninja import Router

from qyzmet.access import access_application_as_staff, access_clock
from qyzmet.engine import services

from .present import application_detail
from .schemas import ApplicationDetail, Error, PauseClock, ValidationErrors

router = Router(tags=["clock"])


def _handled_application(user, number: str):
    return access_clock(user, access_application_as_staff(user, number))


@router.post(
    "/applications/{number}/pause",
    response={200: ApplicationDetail, 403: Error, 404: Error, 409: Error, 422: ValidationErrors},
    summary="Stop the legal clock on a ground the law gives for the application (a pause rule of law_rules.yaml)",
)
def pause_clock(request, number: str, payload: PauseClock):
    app = _handled_application(request.auth, number)
    services.pause(app.pk, payload.reason, by=request.auth, note=payload.note)
    app.refresh_from_db()
    return application_detail(app, request.auth)


@router.post(
    "/applications/{number}/resume",
    response={200: ApplicationDetail, 403: Error, 404: Error, 409: Error},
    summary="Restart the legal clock; due moments move by the paused time",
)
def resume_clock(request, number: str):
    app = _handled_application(request.auth, number)
    services.resume(app.pk, by=request.auth)
    app.refresh_from_db()
    return application_detail(app, request.auth)
