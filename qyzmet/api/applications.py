"""GET /applications/{number}: one application as its handler needs it."""

from __future__ import annotations

from ninja import Router

from qyzmet.access import access_application_as_staff

from .present import application_detail
from .schemas import ApplicationDetail, Error

router = Router(tags=["applications"])


@router.get(
    "/applications/{number}",
    response={200: ApplicationDetail, 404: Error},
    summary="An application: current steps, due moments, conclusions, history",
)
def get_application(request, number: str):
    return application_detail(access_application_as_staff(request.auth, number), request.auth)
