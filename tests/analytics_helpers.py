"""Applications and step runs written as rows with hand-set moments, for figures computed by hand."""

from __future__ import annotations

import datetime as dt
import itertools

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine.models import Application, StepRun
from qyzmet.office.testing import CERTIFICATE
from qyzmet.regulations.loader import catalogue

_numbers = itertools.count(1)


def day(month: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2018, month, d, hour, tzinfo=ALMATY)


def application(
    provider,
    *,
    status="in_progress",
    channel="egov_portal",
    filed=None,
    due=None,
    closed=None,
    grounds=(),
    service=None,
) -> Application:
    filed = filed or day(3, 12)
    return Application.objects.create(
        number=f"QZ-T-{next(_numbers)}",
        regulation_id=CERTIFICATE,
        service=service or catalogue()[CERTIFICATE].service,
        variant="issue",
        channel=channel,
        procedure="examination",
        applicant="870412300129",
        provider=provider,
        status=status,
        filed_at=filed,
        registered_at=filed,
        due_at=due,
        closed_at=closed,
        refusal_grounds=list(grounds),
    )


def run(app, step="S1", *, by=None, minutes=None, kept=None, completed=None, outcome="", role="executor"):
    started = app.filed_at
    return StepRun.objects.create(
        application=app,
        flow="examination",
        step_id=step,
        role=role,
        started_at=started,
        due_at=started + dt.timedelta(days=1),
        completed_at=completed
        if completed is not None
        else (None if minutes is None else started + dt.timedelta(minutes=minutes)),
        completed_by=by,
        outcome=outcome,
        kept=kept,
        working_minutes=minutes,
    )
