"""POST /applications/{number}/steps/{run_id}/complete and .../assign.

The engine decides (roles, allowed outcomes, refusal grounds, races); these views find the rows
the caller may see and pass the request on.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import ValidationError

from qyzmet.access import access_application_as_staff, access_step_run
from qyzmet.engine import services
from qyzmet.registry import decisions

from .present import application_detail
from .schemas import ApplicationDetail, AssignStep, CompleteStep, Error, ValidationErrors

router = Router(tags=["steps"])

ERRORS = {403: Error, 404: Error, 409: Error, 422: ValidationErrors}


@router.post(
    "/applications/{number}/steps/{run_id}/complete",
    response={200: ApplicationDetail, **ERRORS},
    summary="Complete a step with one of its allowed outcomes",
)
def complete_step(request, number: str, run_id: int, payload: CompleteStep):
    """A refusing outcome needs grounds from the regulation and a note. A step decided at a
    meeting of a commission or council (`collegial`) needs the meeting's `protocol`; any other
    step refuses one (409). A step the official signs (`signs`: the head signs the result or
    refusal) is completed only with her EDS in the back office (409 here). Completing a step that is already completed (by anyone) is a 409
    that says who completed it and when."""
    app = access_application_as_staff(request.auth, number)
    run = access_step_run(request.auth, app, run_id)
    if decisions.signs(run, app.regulation.parsed):
        # The official signs the decision with her own EDS, after reading it (the back office's
        # case file): a token alone does not stand for that signature.
        raise services.EngineError(
            _(
                "Step %(step)s is completed by the official's EDS signature on the decision, in the "
                "back office; it cannot be completed without it."
            )
            % {"step": run.step_id}
        )
    services.complete_step(
        run.pk,
        request.auth,
        payload.outcome,
        note=payload.note,
        grounds=payload.grounds,
        protocol=payload.protocol.model_dump() if payload.protocol else None,
    )
    app.refresh_from_db()
    return application_detail(app, request.auth)


@router.post(
    "/applications/{number}/steps/{run_id}/assign",
    response={200: ApplicationDetail, **ERRORS},
    summary="Assign an open step to a member of staff who holds its role",
)
def assign_step(request, number: str, run_id: int, payload: AssignStep):
    app = access_application_as_staff(request.auth, number)
    run = access_step_run(request.auth, app, run_id)
    assignee = get_user_model().objects.filter(username=payload.username, is_active=True).first()
    if assignee is None:
        raise ValidationError(
            [{"loc": ["body", "payload", "username"], "msg": _("No such user."), "type": "value_error"}]
        )
    services.assign(run.pk, assignee, by=request.auth)
    return application_detail(app, request.auth)
