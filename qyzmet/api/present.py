"""Turning an application and its rows into what the API returns (no decisions here)."""

from __future__ import annotations

from qyzmet.access import may_act_on_step
from qyzmet.audit.models import AuditEntry
from qyzmet.engine.models import Application, Protocol, StepRun
from qyzmet.engine.services import allowed_outcomes
from qyzmet.regulations.templatetags.regulations import tr


def step_of(reg, run: StepRun):
    """The regulation's step a run stands for (None if the regulation no longer has it)."""
    return reg.step(run.flow, run.step_id)


def action_of(reg, run: StepRun) -> str:
    step = step_of(reg, run)
    return tr(step.action) if step else ""


def username(user) -> str | None:
    return user.get_username() if user else None


def protocol_record(protocol: Protocol | None) -> dict | None:
    if protocol is None:
        return None
    return {
        "number": protocol.number,
        "meeting_at": protocol.meeting_at,
        "chair": protocol.chair,
        "members": protocol.members,
        "secretary": protocol.secretary,
        "decision": protocol.decision,
        "reasoning": protocol.reasoning,
        "recorded_at": protocol.recorded_at,
    }


def application_detail(app: Application, user) -> dict:
    reg = app.regulation.parsed
    runs = list(app.steps.select_related("assignee", "completed_by", "application__provider", "protocol"))
    history = AuditEntry.objects.filter(subject_type="application", subject_id=str(app.pk)).order_by("id")
    return {
        "number": app.number,
        "service": app.service,
        "regulation": app.regulation_id,
        "variant": app.variant,
        "channel": app.channel,
        "procedure": app.procedure,
        "provider": app.provider.code,
        "applicant": app.applicant,
        "applicant_name": app.applicant_name,
        "status": app.status,
        "filed_at": app.filed_at,
        "registered_at": app.registered_at,
        "due_at": app.due_at,
        "closed_at": app.closed_at,
        "overdue_since": app.overdue_since,
        "result": app.result,
        "refusal_grounds": app.refusal_grounds,
        "refusal_text": app.refusal_text,
        "current_steps": [
            {
                "run_id": run.pk,
                "step": run.step_id,
                "action": action_of(reg, run),
                "role": run.role,
                "assignee": username(run.assignee),
                "started_at": run.started_at,
                "due_at": run.due_at,
                "due_rule": run.due_rule,
                "overdue_since": run.overdue_since,
                "allowed_outcomes": allowed_outcomes(reg, run),
                "collegial": bool(getattr(step_of(reg, run), "collegial", False)),
                "may_act": app.is_open and may_act_on_step(user, run),
            }
            for run in runs
            if run.is_open
        ],
        "steps": [
            {
                "run_id": run.pk,
                "step": run.step_id,
                "role": run.role,
                "started_at": run.started_at,
                "due_at": run.due_at,
                "completed_at": run.completed_at,
                "completed_by": username(run.completed_by),
                "outcome": run.outcome,
                "kept": run.kept,
                "protocol": protocol_record(getattr(run, "protocol", None)),
            }
            for run in runs
        ],
        "conclusions": [
            {
                "id": c.pk,
                "step": c.step_run.step_id,
                "body": c.body,
                "requested_at": c.requested_at,
                "due_at": c.due_at,
                "answer": c.answer,
                "answered_at": c.answered_at,
                "note": c.note,
            }
            for c in app.conclusions.select_related("step_run").order_by("id")
        ],
        "pauses": list(
            app.pauses.order_by("started_at").values(
                "reason",
                "law",
                "note",
                "asked",
                "answer",
                "answered_at",
                "started_at",
                "ended_at",
                "started_by",
                "ended_by",
            )
        ),
        "grounds_available": [{"code": g.code, "text": tr(g.text)} for g in reg.refusal_grounds],
        "history": [{"at": e.at, "actor": e.actor, "action": e.action, "data": e.data} for e in history],
    }
