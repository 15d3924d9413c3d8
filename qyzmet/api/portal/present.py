"""Turning regulations, applications and fees into what the applicant API returns (no decisions)."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.urls import reverse

from qyzmet.engine import paths
from qyzmet.engine.fees import fee_for
from qyzmet.engine.models import ANSWER_FILES, Application
from qyzmet.engine.statuses import account, regulation_status
from qyzmet.regulations.templatetags.regulations import norm, tr

from .access import PORTAL_CHANNELS


def fee_due(reg, variant: str, year: int) -> dict | None:
    fee = fee_for(reg, variant, year)
    if fee is None:
        return None
    return {
        "tenge": int(fee.tenge),
        "mci_units": float(fee.mci_units),
        "mci_value": fee.mci_value,
        "sources": list(fee.sources),
    }


def passport(row, today: dt.date, providers: list[str]) -> dict:
    reg = row.parsed
    return {
        "service": reg.service,
        "regulation": reg.id,
        "title": tr(reg.title),
        "provider": reg.provider.code,
        "provider_name": tr(reg.provider.name),
        "in_force_from": row.in_force_from,
        "in_force_until": row.in_force_until,
        "variants": [
            {
                "code": v.code,
                "name": tr(v.name),
                "term": norm(v.term),
                "fee": fee_due(reg, v.code, today.year),
            }
            for v in reg.variants
        ],
        "channels": [{"code": c.code, "name": tr(c.name)} for c in reg.channels],
        "portal_channel": next((c for c in PORTAL_CHANNELS if reg.channel(c) is not None), None),
        "providers": providers,
    }


def expected_path(app: Application) -> list[dict]:
    """The provider's steps from filing to the result, each due when the one before falls due.

    Where the regulation writes no internal procedure, the provider performs the channel's own
    steps from the one the application was handed over at.
    """
    reg = app.regulation.parsed
    calendar = app.provider.calendar()
    if reg.procedure_for(app.variant) is not None:
        planned = paths.plan(
            reg, app.variant, app.registered_at, calendar, via=app.channel, applicant=app.applicant_kind
        )
    else:
        first = app.steps.order_by("started_at", "id").values_list("step_id", flat=True).first()
        planned = paths.plan(
            reg, app.variant, app.filed_at, calendar, channel=app.channel, applicant=app.applicant_kind
        )
        ids = [p.step.id for p in planned]
        planned = planned[ids.index(first) :] if first in ids else []
    return [
        {
            "step": p.step.id,
            "action": tr(p.step.action),
            "actor": tr(reg.actor(p.step.actor).name) if reg.actor(p.step.actor) else p.step.actor,
            "starts": p.starts,
            "due": p.due,
        }
        for p in planned
    ]


def where_named(reg, source) -> str | None:
    """'<seed> lines a-b' of a source, or its law reference; None for no source."""
    if source is None:
        return None
    if source.lines is None:
        return source.law
    return f"{source.seed or reg.source.seed} lines {source.lines[0]}-{source.lines[1]}"


def my_application(app: Application) -> dict:
    reg = app.regulation.parsed
    named = regulation_status(app)
    return {
        "number": app.number,
        "service": app.service,
        "title": tr(reg.title),
        "regulation": app.regulation_id,
        "variant": app.variant,
        "channel": app.channel,
        "provider": app.provider.code,
        "provider_name": app.provider.display_name,
        "status": app.status,
        "status_name": named.label,
        "status_source": where_named(reg, named.source),
        "filed_at": app.filed_at,
        "due_at": app.due_at,
        "closed_at": app.closed_at,
        "result": app.result,
    }


def _documents(app: Application) -> list[dict]:
    if not apps.is_installed("qyzmet.registry"):
        return []
    return [
        {
            "kind": d.kind,
            "name": str(d.get_kind_display()),
            "issued_at": d.created_at,
            "sha256": d.sha256,
            "url": reverse("portal:issued-document", args=[app.number, d.pk]),
        }
        for d in app.issued_documents.order_by("created_at", "id")
    ]


def my_application_detail(app: Application) -> dict:
    reg = app.regulation.parsed
    told = account(app)

    def action(run) -> str:
        step = reg.step(run.flow, run.step_id)
        return tr(step.action) if step else ""

    return {
        **my_application(app),
        "refusal_grounds": told.refusal_grounds,
        "refusal_text": told.refusal_text,
        "steps": [
            {
                "step": run.step_id,
                "action": action(run),
                "started_at": run.started_at,
                "due_at": run.due_at,
                "completed_at": run.completed_at,
                "outcome": run.outcome,
            }
            for run in app.steps.all()
        ],
        "expected_path": expected_path(app),
        "term": told.term,
        "result_name": told.result,
        "path": [
            {
                "step": line.step,
                "action": line.action,
                "actor": line.actor,
                "state": line.state,
                "started_at": line.started_at,
                "completed_at": line.completed_at,
                "due_at": line.due_at,
                "outcome": line.outcome,
            }
            for line in told.steps
        ],
        "documents": _documents(app),
        "asked": asked_of_applicant(app),
    }


def asked_of_applicant(app: Application) -> list[dict]:
    """The stops of the clock that asked the applicant something, with what they answered."""
    return [
        {
            "rule": pause.reason,
            "law": pause.law,
            "asked": pause.asked,
            "started_at": pause.started_at,
            "open": pause.ended_at is None,
            "answer": pause.answer,
            "answered_at": pause.answered_at,
            "files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in pause.files.all()],
        }
        for pause in app.pauses.asking().order_by("started_at").prefetch_related(ANSWER_FILES)
    ]
