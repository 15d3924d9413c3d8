"""POST /applications/{number}/conclusions/{id}: record another body's answer to a request."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router

from qyzmet.engine import services

from .access import application_for
from .present import application_detail
from .schemas import AnswerConclusion, ApplicationDetail, Error, ValidationErrors

router = Router(tags=["conclusions"])


@router.post(
    "/applications/{number}/conclusions/{conclusion_id}",
    response={200: ApplicationDetail, 403: Error, 404: Error, 409: Error, 422: ValidationErrors},
    summary="Record the answer of a body asked for its conclusion",
)
def answer_conclusion(request, number: str, conclusion_id: int, payload: AnswerConclusion):
    """Recorded by whoever may act on the step that asked for it; a second answer is a 409."""
    app = application_for(request.auth, number)
    req = app.conclusions.select_related("step_run__application__provider").filter(pk=conclusion_id).first()
    if req is None:
        raise Http404(
            _("Application %(number)s has no conclusion request %(id)s.")
            % {"number": app.number, "id": conclusion_id}
        )
    # the engine records answers from anyone (bodies, the scheduler); through the API, only staff
    # who handle the requesting step may
    if not services.may_act(request.auth, req.step_run):
        raise services.NotPermitted(
            _("You do not hold the role %(role)s at this provider.") % {"role": req.step_run.role}
        )
    services.answer_conclusion(req.pk, payload.answer, by=request.auth, note=payload.note)
    return application_detail(app, request.auth)
