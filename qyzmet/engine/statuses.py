"""An application's status as its regulation names it, for the applicant's cabinet and API.

The engine keeps five states of its own (`models.Status`). A regulation may name statuses of
its own for the personal cabinet, e.g. South Kazakhstan's licences say the application's status
changes to «Қанағаттанарлық» (satisfied) or «Бас тарту» (refusal); each such status lists the
engine states it stands for (`means` in the regulation file), and the channels it is given in
where the regulation ties it to some (`applies_to`: Almaty's acceptance notice-report is sent to the
portal's personal cabinet "when the service is applied for through the portal", seed 004 lines
239-242; an application received at the office shows the engine's label). The regulation consulted is the
version the application is pinned to, so a later wording never renames an old application's
status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from qyzmet.regulations.schema import Source
from qyzmet.regulations.templatetags.regulations import tr

from .models import Status


class NamedStatus(NamedTuple):
    """The status to show: the regulation's name in the active language and where it is named;
    `source` is None where the regulation names no status for the state and `label` is the
    engine's own."""

    label: str
    source: Source | None


def regulation_status(app) -> NamedStatus:
    """The name the application's pinned regulation gives its current engine state, in the
    active language; the engine's label where the regulation names none."""
    named = app.regulation.parsed.status_for(app.status, app.channel)
    if named is None:
        return NamedStatus(str(Status(app.status).label), None)
    return NamedStatus(tr(named.name), named.source)


def refusal_act(app) -> str | None:
    """Which of the three refusals (`qyzmet.regulations.refusals`) a refused application ended in:
    the act its pinned regulation names at the refusal end it reached; None when not refused."""
    if app.status != Status.REFUSED:
        return None
    reg = app.regulation.parsed
    for run in app.steps.filter(completed_at__isnull=False).order_by("-completed_at", "-id"):
        found = reg.refusal_act(run.flow, run.step_id)
        if found is not None:
            return found
    return "service"


# One account of an application for the applicant ------------------------------------------------
#
# The cabinet's application page and the applicant API's detail read it; the office's task page
# reads the same rows (StepRun, Application), so the three agree by construction. Rules:
# - a step that ran shows its real start and end (or "in progress since");
# - a step not reached yet shows the plan, marked as a plan, counted from the current step's
#   due moment (never from the filing day, which would put a late application's plan in the past);
# - once the application is closed there is no plan: only what happened;
# - the legal term is the application's `due_at`; while open, what is still due is the result by
#   then (or it is overdue); once closed, whether the decision kept the term.

DONE, CURRENT, PLANNED = "done", "current", "planned"
TERM_RUNNING, TERM_OVERDUE, TERM_KEPT, TERM_MISSED, NO_TERM = "running", "overdue", "kept", "missed", "none"


@dataclass
class StepLine:
    step: str
    action: str
    actor: str
    state: str  # DONE / CURRENT / PLANNED
    started_at: dt.datetime | None  # real for DONE and CURRENT; the plan's for PLANNED
    completed_at: dt.datetime | None  # real, DONE only
    due_at: dt.datetime | None  # the step's norm counted on the provider's calendar
    outcome: str = ""

    @property
    def planned(self) -> bool:
        return self.state == PLANNED


@dataclass
class Account:
    status: str  # the engine state
    status_name: str  # as the regulation names it, else the engine's label (active language)
    status_label: str  # the engine's label (active language)
    is_open: bool
    filed_at: dt.datetime
    due_at: dt.datetime | None  # the legal term
    closed_at: dt.datetime | None
    term: str  # TERM_*
    result: str  # the result's name (active language), "" while open
    refusal_grounds: list[str] = field(default_factory=list)  # the regulation's texts cited
    refusal_text: str = ""
    steps: list[StepLine] = field(default_factory=list)


def term_state(app, now: dt.datetime) -> str:
    if app.due_at is None:
        return NO_TERM
    if app.is_open:
        return TERM_OVERDUE if now > app.due_at else TERM_RUNNING
    return TERM_KEPT if app.kept_term() else TERM_MISSED


def account(app, now: dt.datetime | None = None) -> Account:
    """What the applicant is told about `app`: its status, term, steps (real, then planned) and
    refusal; texts in the active language."""
    from qyzmet import clock

    now = now or clock.now()
    reg = app.regulation.parsed
    runs = list(app.steps.all())
    named = regulation_status(app)
    result = next((r for r in reg.results if r.code == app.result), None) if app.result else None
    grounds = {g.code: tr(g.text) for g in reg.refusal_grounds}
    return Account(
        status=app.status,
        status_name=named.label,
        status_label=str(Status(app.status).label),
        is_open=app.is_open,
        filed_at=app.filed_at,
        due_at=app.due_at,
        closed_at=app.closed_at,
        term=term_state(app, now),
        result=tr(result.name) if result else "",
        refusal_grounds=[grounds.get(code, code) for code in app.refusal_grounds]
        if app.status == Status.REFUSED
        else [],
        refusal_text=app.refusal_text if app.status == Status.REFUSED else "",
        steps=[_ran(reg, run) for run in runs] + (_still_planned(reg, app, runs, now) if app.is_open else []),
    )


def _actor_name(reg, code: str) -> str:
    actor = reg.actor(code)
    return tr(actor.name) if actor else code


def _ran(reg, run) -> StepLine:
    step = reg.step(run.flow, run.step_id)
    return StepLine(
        step=run.step_id,
        action=tr(step.action) if step else "",
        actor=_actor_name(reg, run.role),
        state=DONE if run.completed_at else CURRENT,
        started_at=run.started_at,
        completed_at=run.completed_at,
        due_at=run.due_at,
        outcome=run.outcome,
    )


def _still_planned(reg, app, runs, now: dt.datetime) -> list[StepLine]:
    """The expected steps after the current one, each starting when the one before falls due,
    counted from the current step's due moment (or now, if that is past or unknown)."""
    from . import paths
    from .law import rules_for

    current = next((r for r in runs if r.completed_at is None), None)
    if current is None:
        return []
    calendar = app.provider.calendar()
    channel = app.channel if reg.procedure(app.procedure) is None else None
    try:
        planned = paths.plan(
            reg,
            app.variant,
            app.registered_at,
            calendar,
            channel=channel,
            via=app.channel,
            applicant=app.applicant_kind,
        )
    except (KeyError, ValueError):
        return []
    ids = [p.step.id for p in planned]
    if current.step_id not in ids:
        return []
    rules = rules_for(reg, app.filed_at.date())
    moment = max(current.due_at or now, now)
    lines = []
    for p in planned[ids.index(current.step_id) + 1 :]:
        due, _rule = paths.due_of(reg, p.step, moment, app.registered_at, calendar, rules)
        lines.append(
            StepLine(
                step=p.step.id,
                action=tr(p.step.action),
                actor=_actor_name(reg, p.step.actor),
                state=PLANNED,
                started_at=moment,
                completed_at=None,
                due_at=due,
            )
        )
        if due is not None:
            moment = due
    return lines
