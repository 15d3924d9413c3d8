"""POST /applications/{number}/conclusions/{id}: record another body's answer to a request."""

from __future__ import annotations

from ninja import Router

from qyzmet.access import access_application_as_staff, access_conclusion_to_answer
from qyzmet.engine import services

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
    app = access_application_as_staff(request.auth, number)
    # the engine records answers from anyone (bodies, the scheduler); through the API, only staff
    # who handle the requesting step may
    req = access_conclusion_to_answer(request.auth, app, conclusion_id)
    services.answer_conclusion(req.pk, payload.answer, by=request.auth, note=payload.note)
    return application_detail(app, request.auth)
