"""An application's status as its regulation names it, for the applicant's cabinet and API.

The engine keeps five states of its own (`models.Status`). A regulation may name statuses of
its own for the personal cabinet, e.g. South Kazakhstan's licences say the application's status
changes to «Қанағаттанарлық» (satisfied) or «Бас тарту» (refusal); each such status lists the
engine states it stands for (`means` in the regulation file). The regulation consulted is the
version the application is pinned to, so a later wording never renames an old application's
status.
"""

from __future__ import annotations

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
    named = app.regulation.parsed.status_for(app.status)
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
