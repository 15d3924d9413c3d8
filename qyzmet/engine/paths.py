"""Paths through a regulation's flows, and the moments they fall due: pure functions, no database.

The expected path of an application chooses, at each branching step, the outcome that keeps the
application going (documents complete, check passed, approve, a positive conclusion, its own
variant) or, when asked for the refusal path, the first refusing outcome the procedure offers.
The timeline command, the office's task page and the tests all use these same functions, so the
dates people see are the dates the engine enforces.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qyzmet.calendar.workcal import WorkCalendar
from qyzmet.regulations.schema import Flow, Regulation, Step

GOING_ON = ("yes", "complete", "approve", "positive")
REFUSING = ("refuse", "negative", "incomplete", "no")
RESULT_KIND_OF_VARIANT = {"issue": "licence", "reissue": "reissued_licence", "duplicate": "duplicate"}


def is_continuous(reg: Regulation, step: Step) -> bool:
    """Information systems work around the clock; people work office hours."""
    actor = reg.actor(step.actor)
    return actor is not None and actor.kind == "information_system"


def due_of(reg: Regulation, step: Step, started, registered, calendar: WorkCalendar, rules: dict):
    """A step's due moment: its norm on the calendar, bounded by the law's rules.

    Returns (due or None, code of the rule that set it or "").
    """
    due = calendar.due(started, step.norm, is_continuous(reg, step)) if step.norm else None
    rule = ""
    if step.check == "documents_complete" and "completeness-check" in rules:
        limit = calendar.due(registered, rules["completeness-check"].term)
        if due is None or limit < due:
            due, rule = limit, "completeness-check"
    if step.refusal == "consideration" and "completeness-check" in rules:
        # The refusal of further consideration is given within the completeness check's term.
        limit = calendar.due(registered, rules["completeness-check"].term)
        if due is None or limit < due:
            due, rule = limit, "completeness-check"
    if step.requests_conclusion_from and "conclusions-answer" in rules and due is None:
        due, rule = calendar.due(started, rules["conclusions-answer"].term), "conclusions-answer"
    return due, rule


def choose(step: Step, variant: str, branch: str = "approve", refused_yet: bool = True) -> str:
    """The outcome the expected path takes at a branching step."""
    whens = [b.when for b in step.branches]
    if variant in whens:
        return variant
    if branch == "refuse" and not refused_yet:
        for preferred in ("refuse", "negative"):
            if preferred in whens:
                return preferred
    for preferred in GOING_ON:
        if preferred in whens:
            return preferred
    return whens[0]


def _refuse_target(flow: Flow) -> bool:
    """Whether the flow offers a decision to refuse (refuse/negative) at all."""
    return any(b.when in ("refuse", "negative") for s in flow.steps for b in s.branches)


def walk(flow: Flow, variant: str, branch: str = "approve") -> list[tuple[Step, str | None]]:
    """The expected sequence of (step, outcome) through one flow, to its end."""
    decisive = ("refuse", "negative") if _refuse_target(flow) else ("incomplete", "no")
    refused = False

    def outcome_at(step: Step) -> str:
        nonlocal refused
        # On the refusal path the first decisive branch refuses; every other one goes on.
        if branch == "refuse" and not refused:
            whens = [b.when for b in step.branches]
            outcome = next((w for w in decisive if w in whens), None)
            refused = outcome is not None
            if outcome is not None:
                return outcome
        return choose(step, variant)

    return list(flow.walk(outcome_at))


@dataclass
class PlannedStep:
    flow: str
    step: Step
    outcome: str | None
    starts: dt.datetime
    due: dt.datetime | None


def plan(
    reg: Regulation,
    variant: str,
    filed: dt.datetime,
    calendar: WorkCalendar,
    channel: str | None = None,
    branch: str = "approve",
) -> list[PlannedStep]:
    """Expected steps with their due moments, each step starting when the one before falls due.

    With a channel, its steps are followed and the internal procedure is spliced in where the
    channel hands over to it; without one, the internal procedure alone.
    """
    planned: list[PlannedStep] = []
    if channel:
        flow = reg.channel(channel)
        if flow is None:
            raise KeyError(f"{reg.id} has no channel {channel!r}")
        _run_channel(reg, flow, variant, branch, calendar, planned, filed)
        return planned
    procedure = reg.procedure_for(variant)
    if procedure is None:
        raise KeyError(f"{reg.id} has no internal procedure for variant {variant!r}")
    rules = _rules(reg, filed)
    moment = filed
    for step, outcome in walk(procedure, variant, branch):
        due, _ = due_of(reg, step, moment, filed, calendar, rules)
        planned.append(PlannedStep(procedure.code, step, outcome, moment, due))
        if due is not None:
            moment = due
    return planned


def _run_channel(reg, flow, variant, branch, calendar, planned, filed):
    """Follow a channel; where it hands over to the internal procedure, run that procedure."""
    rules = _rules(reg, filed)

    def outcome_at(step: Step) -> str:
        whens = [b.when for b in step.branches]
        procedure = reg.procedure(step.procedure) if step.procedure else None
        if procedure is not None:
            # The hand-over's outcome is the procedure's: a refusal there refuses here.
            refused = walk(procedure, variant, branch)[-1][0].end == "refusal"
            return next((w for w in REFUSING if w in whens), whens[-1]) if refused else choose(step, variant)
        outcome = choose(step, variant)
        if branch == "refuse" and step.check in ("grounds", "conclusion"):
            outcome = next((w for w in REFUSING if w in whens), outcome)
        return outcome

    moment = filed
    for step, outcome in flow.walk(outcome_at):
        due = calendar.due(moment, step.norm, is_continuous(reg, step)) if step.norm else None
        planned.append(PlannedStep(flow.code, step, outcome, moment, due))
        procedure = reg.procedure(step.procedure) if step.procedure else None
        if procedure is None:
            if due is not None:
                moment = due
            continue
        for pstep, poutcome in walk(procedure, variant, branch):
            pdue, _ = due_of(reg, pstep, moment, filed, calendar, rules)
            planned.append(PlannedStep(step.procedure, pstep, poutcome, moment, pdue))
            if pdue is not None:
                moment = pdue


def _rules(reg: Regulation, filed: dt.datetime) -> dict:
    from .law import rules_for

    return rules_for(reg, filed.date())


def application_term_due(reg: Regulation, variant: str, registered: dt.datetime, calendar: WorkCalendar):
    """When the application must be decided: its variant's term, counted from registration.

    Where the regulation gives no term (it lives in the Standard, which the seed does not quote),
    the term is the expected path of the internal procedure, which is what the regulation does say.
    """
    v = reg.variant(variant)
    if v is not None and v.term is not None:
        return calendar.due(registered, v.term)
    if reg.procedure_for(variant) is None:
        return None
    steps = plan(reg, variant, registered, calendar)
    dues = [p.due for p in steps if p.due is not None]
    return max(dues) if dues else None


def issued_result(reg: Regulation, variant: str) -> str:
    """The result a variant issues (for a permit deemed issued, which no step produced)."""
    wanted = RESULT_KIND_OF_VARIANT.get(variant)
    for r in reg.results:
        if wanted and r.kind == wanted:
            return r.code
    return next((r.code for r in reg.results if r.kind != "refusal"), "")


def result_for(reg: Regulation, step: Step, variant: str) -> str:
    """The result an end step produces: its own, or the one of the application's variant."""
    if step.result:
        return step.result
    if step.end == "refusal":
        refusal = next((r for r in reg.results if r.kind == "refusal"), None)
        return refusal.code if refusal else ""
    return issued_result(reg, variant)
