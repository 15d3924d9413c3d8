"""Paths through a regulation's flows, and the moments they fall due: pure functions, no database.

The expected path of an application chooses, at each branching step, the outcome that keeps the
application going (documents complete, check passed, approve, a positive conclusion, its own
variant) or, when asked for the refusal path, the first refusing outcome the procedure offers.
The timeline command, the office's task page and the tests all use these same functions, so the
dates people see are the dates the engine enforces.

Where a due moment comes from (`Due.basis`), and how the plan chains the steps
------------------------------------------------------------------------------
A step's due moment comes from the regulation, the Standard as the regulation cites it, or a rule
of the law, and nothing else:

* ``norm``: the step's own time norm, counted on the provider's calendar from the moment the step
  starts (the regulation's tables and clauses: each norm carries its seed lines in `source`).
* ``item``: a step with no norm of its own that the regulation places inside a numbered item with
  a norm (`Step.within`) is due with that item. Stem cells conclusion (seed 003 lines 1282-1291):
  item 1, "1 working day", covers registration, the assignment of the executor and the check of
  the documents; the completeness check that clause 6 item 3 (lines 1327-1328) adds is done within
  that same working day, not after it.
* ``law:<code>``: a rule of `law_rules.yaml` with its source in force on the filing day
  (law-facts.md items 1-2, 5, 12-14, 16). A statutory limit bounds the moment it names and never
  adds to the regulation's own sequence: the completeness check is decided no later than 2 working
  days after registration (Licensing Law Art. 42 p.4; Law on permissions Art. 25 p.1), however the
  regulation's own steps run; an approving body answers within 10 working days of the request
  (Art. 42 p.5; Art. 25 p.2-3). Where the regulation gives a step no norm, the law's limit is its
  due, but the plan does not start the following steps at that limit: those follow the regulation's
  own norms. (Before this rule the limit was taken as the step's duration and chained, so the stem
  cells conclusion, 1 + 1 + 1 working days in the regulation, was planned and judged at 4.)
* ``term``: no step begun within the application's term (its variant's term, from the
  regulation, the Standard it cites or the Law: `Variant.term_source`) falls due after it; a later
  due is cut to the term. The validator reports every step whose own norm, counted from the step's
  start, the term cuts (`planning_problems`): the regulation's own sequence would not fit its term.
  A norm that is itself the term of the whole service (`counted_from: registration`, as the portal
  tables' "the result within 15 working days") is governed by a shorter variant term as that
  variant's `term_note` reads.

Steps tied to a channel or to a kind of applicant
-------------------------------------------------
A step the regulation ties to some channels or applicant kinds (`Step.applies_to`, with the seed
lines that tie it) is passed over in the others: the application goes on from it as if it were
done (a condition by its going-on branch, `passed_over`), with no run, no due moment and no wait.
Passenger transport (seed 004 lines 7244-7250): the Passenger Transport Department's conclusion is
condition 4 of the portal route only; the Centre's route (lines 7257-7283) and the provider's own
procedure (lines 7339-7352) have none, so an application at the Centre or the office does not wait
for it.

The plan starts each step when the one before falls due by its own norm; a step inside an item
starts with its item. Time runs on the provider's working calendar for the provider's people; the
applicant's own steps on a portal, and information systems, run when they run (continuous time):
a request filed on a Saturday is filled in on that Saturday. An application received after the
provider's working hours, or on a day off, is registered at the opening of the next working day
(`registration`), and the provider's procedure and the terms counted from registration start
there (Civil Code Arts. 173 and 176, law-facts.md item 38: a term runs from the next day, and an
act to be done at an office can be done until it closes; law-facts.md item 34: at a PSC the day
of acceptance is not counted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qyzmet.calendar.workcal import ALMATY, WorkCalendar
from qyzmet.regulations.schema import Flow, Regulation, Step

GOING_ON = ("yes", "complete", "approve", "positive")
REFUSING = ("refuse", "negative", "incomplete", "no")
RESULT_KIND_OF_VARIANT = {"issue": "licence", "reissue": "reissued_licence", "duplicate": "duplicate"}
# A channel condition of these checks is the provider's own: there the channel hands over.
PROVIDER_CHECKS = ("grounds", "conclusion")
# Who works around the clock: the applicant acting on a portal, and information systems.
CONTINUOUS_ACTORS = ("applicant", "information_system")


def is_continuous(reg: Regulation, step: Step) -> bool:
    """The applicant and information systems act when they act; the provider's people work office
    hours."""
    actor = reg.actor(step.actor)
    return actor is not None and actor.kind in CONTINUOUS_ACTORS


def hands_over(step: Step) -> bool:
    """Whether a channel step hands the request over to the provider (its procedure or own check)."""
    return bool(step.procedure) or (step.kind == "condition" and step.check in PROVIDER_CHECKS)


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(ALMATY) if moment.tzinfo else moment.replace(tzinfo=ALMATY)


def registration(received: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """When an application received at `received` is registered by the provider: then, within the
    provider's working hours; at the opening of the next working day after hours or on a day off."""
    moment = _local(received)
    day = moment.date()
    if calendar.is_working_day(day):
        opens = calendar.hours.intervals(day)[0][0]
        if moment < opens:
            return opens
        if moment < calendar.close_of(day):
            return moment
    day = calendar.next_working_day(day)
    return calendar.hours.intervals(day)[0][0]


@dataclass(frozen=True)
class Due:
    """A step's due moment and where it comes from (see the module's docstring).

    `own` is the regulation's own moment for the step (its norm, or its item's) before the law's
    bounds and the term; `basis` is "norm", "item", "law:<code>", "term" or "" (no due)."""

    at: dt.datetime | None
    basis: str
    own: dt.datetime | None = None

    @property
    def rule(self) -> str:
        """The code of the law rule that set the due moment, or ""."""
        return self.basis.removeprefix("law:") if self.basis.startswith("law:") else ""


def due(
    reg: Regulation,
    step: Step,
    started,
    registered,
    calendar: WorkCalendar,
    rules: dict,
    item_due: dt.datetime | None = None,
    term_due: dt.datetime | None = None,
) -> Due:
    """A step's due moment: its own (its norm from `started`, or `item_due`, the due of the item the
    regulation places it in), bounded by the law's rules and by the application's term."""
    own, basis = None, ""
    if step.norm:
        since = registered if step.counted_from == "registration" else started
        own, basis = calendar.due(since, step.norm, is_continuous(reg, step)), "norm"
    elif step.within and item_due is not None:
        own, basis = item_due, "item"
    at = own
    if step.check == "documents_complete" and "completeness-check" in rules:
        limit = calendar.due(registered, rules["completeness-check"].term)
        if at is None or limit < at:
            at, basis = limit, "law:completeness-check"
    if step.refusal == "consideration" and "completeness-check" in rules:
        # The refusal of further consideration is given within the completeness check's term.
        limit = calendar.due(registered, rules["completeness-check"].term)
        if at is None or limit < at:
            at, basis = limit, "law:completeness-check"
    if step.requests_conclusion_from and "conclusions-answer" in rules and at is None:
        at, basis = calendar.due(started, rules["conclusions-answer"].term), "law:conclusions-answer"
    # (a step begun once the term has passed is judged by its own norm: a due moment before the
    # step began would mean nothing, and the application is overdue by its term already)
    if at is not None and term_due is not None and at > term_due and _local(started) < term_due:
        at, basis = term_due, "term"
    return Due(at, basis, own)


def due_of(
    reg: Regulation,
    step: Step,
    started,
    registered,
    calendar: WorkCalendar,
    rules: dict,
    item_due: dt.datetime | None = None,
    term_due: dt.datetime | None = None,
):
    """A step's due moment (`due`) as (due or None, code of the law rule that set it or "")."""
    d = due(reg, step, started, registered, calendar, rules, item_due, term_due)
    return d.at, d.rule


def item_due_after(done: Step | None, done_due, step: Step):
    """The due of the item `step` lies in, when the step just done is that item or lies in it
    (the validator makes every way into such a step come from its item)."""
    if step.within is None or done is None:
        return None
    return done_due if step.within in (done.id, done.within) else None


def passed_over(
    flow: Flow, step: Step | None, variant: str, channel: str | None = None, applicant: str | None = None
) -> Step | None:
    """The first step from `step` on that applies to `channel` and `applicant`: the steps tied to
    others are passed over, a condition by its going-on branch (see the module's docstring)."""
    seen = set()
    while step is not None and not step.applies(channel, applicant) and step.id not in seen:
        seen.add(step.id)
        step = flow.step(step.after(choose(step, variant) if step.branches else None))
    return step


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


def walk(
    flow: Flow,
    variant: str,
    branch: str = "approve",
    channel: str | None = None,
    applicant: str | None = None,
) -> list[tuple[Step, str | None]]:
    """The expected sequence of (step, outcome) through one flow, to its end; the steps that do
    not apply to `channel` or `applicant` are passed over (`passed_over`)."""
    decisive = ("refuse", "negative") if _refuse_target(flow) else ("incomplete", "no")
    refused = False

    def outcome_at(step: Step) -> str:
        nonlocal refused
        if not step.applies(channel, applicant):
            return choose(step, variant)
        # On the refusal path the first decisive branch refuses; every other one goes on.
        if branch == "refuse" and not refused:
            whens = [b.when for b in step.branches]
            outcome = next((w for w in decisive if w in whens), None)
            refused = outcome is not None
            if outcome is not None:
                return outcome
        return choose(step, variant)

    return [(s, o) for s, o in flow.walk(outcome_at) if s.applies(channel, applicant)]


@dataclass
class PlannedStep:
    flow: str
    step: Step
    outcome: str | None
    starts: dt.datetime
    due: dt.datetime | None
    basis: str = ""  # where the due comes from: norm, item, law:<code>, term (see `Due`)
    own: dt.datetime | None = None  # the regulation's own due, before the law's bounds and the term


class _Planner:
    """Lays steps one after another: each starts when the one before falls due by its own norm
    (a step inside an item starts with its item); law limits and the term only bound dues."""

    def __init__(self, reg, variant, calendar, planned, filed):
        self.reg, self.variant, self.calendar, self.planned = reg, variant, calendar, planned
        self.rules = _rules(reg, filed)
        self.registered: dt.datetime | None = None
        self.term_due: dt.datetime | None = None
        self.items: dict[tuple[str, str], PlannedStep] = {}  # the normed steps planned, by flow and id

    def register(self, moment: dt.datetime) -> dt.datetime:
        """The provider receives the application at `moment`: registration, and the term from it."""
        if self.registered is None:
            self.registered = registration(moment, self.calendar)
            v = self.reg.variant(self.variant)
            if v is not None and v.term is not None:
                self.term_due = self.calendar.due(self.registered, v.term)
        return max(moment, self.registered)

    def run(self, flow_code: str, steps, moment: dt.datetime) -> dt.datetime:
        for step, outcome in steps:
            item = self.items.get((flow_code, step.within)) if step.within else None
            starts = item.starts if item is not None and not step.norm else moment
            # A channel step that stands for the internal procedure is timed by the procedure's steps.
            d = due(
                self.reg,
                step,
                starts,
                self.registered or moment,
                self.calendar,
                {} if step.procedure else self.rules,
                item_due=item.due if item is not None else None,
                term_due=None if step.procedure else self.term_due,
            )
            p = PlannedStep(flow_code, step, outcome, starts, d.at, d.basis, d.own)
            self.planned.append(p)
            if step.norm:
                self.items[(flow_code, step.id)] = p
                moment = d.at
        return moment


def plan(
    reg: Regulation,
    variant: str,
    filed: dt.datetime,
    calendar: WorkCalendar,
    channel: str | None = None,
    branch: str = "approve",
    *,
    via: str | None = None,
    applicant: str | None = None,
) -> list[PlannedStep]:
    """Expected steps with their due moments (see the module's docstring for how they chain).

    With a channel, its steps are followed from `filed` (the applicant's own steps when the
    applicant does them) and the internal procedure is spliced in where the channel hands over to
    it, from the application's registration; without one, the internal procedure alone, from the
    registration of an application received at `filed`. The steps tied to other channels than
    the one the application came through (`channel`, or `via` for the procedure alone) or to other
    kinds of applicant than `applicant` are passed over.
    """
    planned: list[PlannedStep] = []
    planner = _Planner(reg, variant, calendar, planned, filed)
    if channel:
        flow = reg.channel(channel)
        if flow is None:
            raise KeyError(f"{reg.id} has no channel {channel!r}")
        _run_channel(reg, flow, variant, branch, planner, filed, applicant)
        return planned
    procedure = reg.procedure_for(variant)
    if procedure is None:
        raise KeyError(f"{reg.id} has no internal procedure for variant {variant!r}")
    planner.run(procedure.code, walk(procedure, variant, branch, via, applicant), planner.register(filed))
    return planned


def _run_channel(reg, flow, variant, branch, planner: _Planner, filed, applicant=None):
    """Follow a channel; where it hands over to the internal procedure, run that procedure."""
    channel = flow.code

    def outcome_at(step: Step) -> str:
        whens = [b.when for b in step.branches]
        procedure = reg.procedure(step.procedure) if step.procedure else None
        if not step.applies(channel, applicant):
            return choose(step, variant)
        if procedure is not None:
            # The hand-over's outcome is the procedure's: a refusal there refuses here.
            refused = walk(procedure, variant, branch, channel, applicant)[-1][0].end == "refusal"
            return next((w for w in REFUSING if w in whens), whens[-1]) if refused else choose(step, variant)
        outcome = choose(step, variant)
        if branch == "refuse" and step.check in PROVIDER_CHECKS:
            outcome = next((w for w in REFUSING if w in whens), outcome)
        return outcome

    moment = filed
    for step, outcome in flow.walk(outcome_at):
        if not step.applies(channel, applicant):
            continue
        if hands_over(step):
            moment = planner.register(moment)
        moment = planner.run(flow.code, [(step, outcome)], moment)
        procedure = reg.procedure(step.procedure) if step.procedure else None
        if procedure is not None:
            moment = planner.run(step.procedure, walk(procedure, variant, branch, channel, applicant), moment)


def _rules(reg: Regulation, filed: dt.datetime) -> dict:
    from .law import rules_for

    return rules_for(reg, filed.date())


def application_term_due(
    reg: Regulation,
    variant: str,
    registered: dt.datetime,
    calendar: WorkCalendar,
    via: str | None = None,
    applicant: str | None = None,
):
    """When the application must be decided: its variant's term, counted from registration.

    Where the regulation gives no term (it lives in the Standard, which the seed does not quote),
    the term is the expected path of the internal procedure, which is what the regulation does say.
    """
    v = reg.variant(variant)
    if v is not None and v.term is not None:
        return calendar.due(registered, v.term)
    if reg.procedure_for(variant) is None:
        return None
    steps = plan(reg, variant, registered, calendar, via=via, applicant=applicant)
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


# The check of planned terms (`python -m qyzmet regulations validate`) --------------------------


def _first_filing(reg: Regulation, calendar: WorkCalendar) -> dt.datetime:
    """10:00 on the first working day the regulation is in force: a filing inside working hours."""
    day = reg.in_force.from_
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=ALMATY)


def planning_problems(reg: Regulation, calendar: WorkCalendar) -> list[str]:
    """Where the planned path of a variant, through its internal procedure or any channel, on the
    way to the result or to a refusal, does not fit the variant's term, or a due moment does not
    come from the regulation (a norm with its seed lines, an item it lies in), the variant's term
    or a law rule with its source in force."""
    problems: list[str] = []
    filed = _first_filing(reg, calendar)
    rules = _rules(reg, filed)
    for variant in reg.variants:
        ways = [None] if reg.procedure_for(variant.code) else []
        ways += [c.code for c in reg.channels if not c.variants or variant.code in c.variants]
        registered = registration(filed, calendar)
        term_due = calendar.due(registered, variant.term) if variant.term else None
        for way in ways:
            for branch in ("approve", "refuse"):
                try:
                    planned = plan(reg, variant.code, filed, calendar, channel=way, branch=branch)
                except (KeyError, ValueError) as exc:
                    problems.append(
                        f"variants.{variant.code} via {way or 'procedure'}: cannot be planned: {exc}"
                    )
                    continue
                where = f"variants.{variant.code} via {way or 'procedure'} ({branch})"
                for p in planned:
                    problems.extend(
                        f"{where}: {p.flow}.{p.step.id}: {m}" for m in _due_problems(p, rules, term_due)
                    )
    return list(dict.fromkeys(problems))


def _due_problems(p: PlannedStep, rules: dict, term_due: dt.datetime | None) -> list[str]:
    found = []
    if p.due is None:
        return found
    if term_due is not None and p.due > term_due:
        found.append(f"falls due {p.due:%d.%m.%Y %H:%M}, after the variant's term {term_due:%d.%m.%Y %H:%M}")
    # A norm counted from its step's start that runs past the term means the regulation's own
    # sequence does not fit it; a norm counted from registration is a term of the whole service,
    # which the variant's (shorter) term governs as its `term_note` reads.
    counted = p.basis == "item" or p.step.counted_from == "start"
    if term_due is not None and p.own is not None and p.own > term_due and counted:
        found.append(
            f"its own norm falls due {p.own:%d.%m.%Y %H:%M}, after the variant's term {term_due:%d.%m.%Y %H:%M}"
        )
    if p.basis == "norm" and p.step.norm is None:
        found.append("is due by a norm it does not have")
    elif p.basis == "item" and p.step.within is None:
        found.append("is due with an item it does not lie in")
    elif p.basis.startswith("law:"):
        rule = rules.get(p.basis.removeprefix("law:"))
        if rule is None or not rule.source:
            found.append(f"is due by the law rule {p.basis} with no source in force on the filing day")
    elif p.basis == "term" and term_due is None:
        found.append("is cut to a term the variant does not have")
    elif p.basis not in ("norm", "item", "term") and not p.basis.startswith("law:"):
        found.append(f"has a due moment from nowhere ({p.basis or 'no basis'})")
    return found
