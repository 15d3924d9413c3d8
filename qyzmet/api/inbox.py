"""GET /inbox: the open steps the caller may act on, most urgent first."""

from __future__ import annotations

from django.db.models import F, Q
from ninja import Field, Query, Router, Schema

from qyzmet import clock
from qyzmet.access import steps_user_may_act_on
from qyzmet.engine.models import OPEN_STATUSES, Status

from .present import action_of, username
from .schemas import Inbox

router = Router(tags=["inbox"])


class InboxFilters(Schema):
    role: str | None = Field(None, description="only steps of this role (an actor code)")
    overdue: bool | None = Field(None, description="true: only overdue steps; false: only those in term")
    q: str | None = Field(None, description="an application number, or the applicant's IIN/BIN")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def actionable_runs(user):
    """Open steps of open applications that `user` may act on (`access.may_act_on_step`): the
    step's role or the head's at that provider, or assigned to them."""
    return steps_user_may_act_on(user).filter(application__status__in=OPEN_STATUSES)


@router.get("/inbox", response=Inbox, summary="Open steps I may act on")
def inbox(request, filters: Query[InboxFilters]):
    """Most urgent first (earliest due moment; steps without one last). A step is overdue when
    its due moment has passed while the application is in progress (a paused clock does not run)."""
    now = clock.now()  # the platform's day, as the office sees it (a demo may run on another)
    runs = actionable_runs(request.auth)
    if filters.role:
        runs = runs.filter(role=filters.role)
    late = Q(application__status=Status.IN_PROGRESS, due_at__lt=now)
    if filters.overdue is True:
        runs = runs.filter(late)
    elif filters.overdue is False:
        runs = runs.exclude(late)
    if filters.q:
        q = filters.q.strip()
        runs = runs.filter(Q(application__number__iexact=q) | Q(application__applicant=q))
    runs = (
        runs.select_related("application__provider", "application__regulation", "assignee")
        .defer("application__regulation__document")  # parsed from the cache by digest
        .order_by(F("due_at").asc(nulls_last=True), "started_at", "id")
    )
    page = runs[filters.offset : filters.offset + filters.limit]
    return {
        "count": runs.count(),
        "items": [
            {
                "run_id": run.pk,
                "application": run.application.number,
                "service": run.application.service,
                "provider": run.application.provider.code,
                "applicant": run.application.applicant,
                "applicant_name": run.application.applicant_name,
                "application_status": run.application.status,
                "step": run.step_id,
                "action": action_of(run.application.regulation.parsed, run),
                "role": run.role,
                "assignee": username(run.assignee),
                "started_at": run.started_at,
                "due_at": run.due_at,
                "overdue": run.application.status == Status.IN_PROGRESS
                and run.due_at is not None
                and run.due_at < now,
            }
            for run in page
        ],
    }
