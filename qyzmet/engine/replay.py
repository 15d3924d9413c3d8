"""Applications rebuilt from the audit log, compared with their rows (`python -m qyzmet audit replay`).

The audit chain proves the log was not rewritten, but an application's row is an ordinary row:
whoever holds the database could set its status, its step or its result without touching the
log. Every change of those is recorded in the same transaction as an audit entry that says what
it changed, so the log alone gives each application's state: filed (`application_filed`, with
the first step), each step completed (`step_completed`: the next step started, or the
application closed with its status and result), the clock stopped and restarted, deemed issued.
Replaying it and comparing with the rows names every application whose row says otherwise, and
every application that has a row but no history, or a history but no row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qyzmet.audit.actions import AuditAction
from qyzmet.audit.models import AuditEntry

from .models import Application, Status, StepRun

SUBJECT = "application"


@dataclass
class State:
    """What the log says of one application: its number, status, current step and result."""

    number: str = ""
    status: str = ""
    step: str | None = None
    result: str = ""


def _apply(state: State, action: str, data: dict) -> None:
    if action == AuditAction.APPLICATION_FILED:
        state.number = data.get("number", "")
        state.status, state.step, state.result = (
            Status.IN_PROGRESS,
            (data.get("started") or {}).get("step"),
            "",
        )
    elif action == AuditAction.STEP_COMPLETED:
        closed = data.get("closed")
        if closed:
            state.status, state.step, state.result = closed["status"], None, closed.get("result") or ""
        else:
            state.step = (data.get("started") or {}).get("step")
    elif action == AuditAction.CLOCK_PAUSED:
        state.status = Status.PAUSED
    elif action == AuditAction.CLOCK_RESUMED:
        state.status = Status.IN_PROGRESS
    elif action == AuditAction.APPLICATION_DEEMED_ISSUED:
        state.status, state.step, state.result = Status.DEEMED_ISSUED, None, data.get("result") or ""
    # Entries written before the engine kept one entry per change (audit/actions.py RETIRED).
    elif action == AuditAction.STEP_STARTED:
        state.step = data.get("step")
    elif action == AuditAction.APPLICATION_CLOSED:
        state.status, state.step, state.result = data.get("status", ""), None, data.get("result") or ""


def replayed() -> dict[int, State]:
    """Each application's state as its audit entries, in the order appended, leave it."""
    states: dict[int, State] = {}
    entries = (
        AuditEntry.objects.filter(subject_type=SUBJECT)
        .order_by("id")
        .values_list("subject_id", "action", "data")
        .iterator(chunk_size=5000)
    )
    for subject_id, action, data in entries:
        if subject_id.isdigit():
            _apply(states.setdefault(int(subject_id), State()), action, data or {})
    return states


@dataclass
class Outcome:
    """How many applications were compared and consistent, and each mismatch as a line."""

    applications: int = 0
    consistent: int = 0
    mismatches: list[str] = field(default_factory=list)


def compare() -> Outcome:
    """Replay the log and compare every application row with it."""
    states = replayed()
    open_steps: dict[int, set[str]] = {}
    for application_id, step_id in StepRun.objects.filter(completed_at__isnull=True).values_list(
        "application_id", "step_id"
    ):
        open_steps.setdefault(application_id, set()).add(step_id)
    outcome = Outcome()
    rows = Application.objects.order_by("id").values_list("id", "number", "status", "result")
    for pk, number, status, result in rows.iterator(chunk_size=5000):
        outcome.applications += 1
        state = states.pop(pk, None)
        if state is None:
            outcome.mismatches.append(f"{number}: no audit entry records its filing")
            continue
        steps = open_steps.get(pk, set())
        found = []
        if state.number and state.number != number:
            found.append(f"number {number!r}, the log says {state.number!r}")
        if status != state.status:
            found.append(f"status {status!r}, the log says {state.status!r}")
        if steps != ({state.step} if state.step else set()):
            found.append(f"current step {sorted(steps) or None}, the log says {state.step!r}")
        if result != state.result:
            found.append(f"result {result!r}, the log says {state.result!r}")
        if found:
            outcome.mismatches.append(f"{number}: " + "; ".join(found))
        else:
            outcome.consistent += 1
    for pk, state in sorted(states.items()):
        outcome.mismatches.append(f"{state.number or f'application {pk}'}: in the log, but its row is gone")
    return outcome
