"""Conformance replay: each application's recorded steps replayed against the flow its regulation
version prescribes.

The engine refuses a transition the flow does not allow, so on a healthy database every case
conforms; what this finds is what got past it or around it: rows written by hand or by an import,
a role taken away after the fact, a step finished late, an action after the case was closed, a
refusal on grounds the regulation does not list. A finding is a fact with its numbers, never a
verdict: the supervisor reads it.

The replay reads the step runs (`engine.StepRun`, the application's recorded events with their
role, officer and moments) of the application's internal procedure in the order they started,
and walks the procedure's steps beside them:

    skipped_step     a run starts at a step the flow reaches from the expected one only through
                     other steps, which have no run (each skipped step is named)
    repeated_step    a step already done runs again (flows have no loops: `Flow.walk`)
    wrong_order      a run at a step the flow does not reach from the expected one
    unknown_step     a run at a step the procedure does not have
    invalid_outcome  a run completed with an outcome the step does not offer
    wrong_role       a run whose role is not the step's actor, or completed by someone who holds
                     neither that role nor the head's at the provider and was not its assignee
                     (the rule of `access.may_act_given`; roles as they are now: `StaffRole`)
    late_step        a run completed after its due moment (pauses already moved it: `engine.shift`)
    late_decision    the application closed after its legal term
    after_closing    a run started or completed after the application was closed
    not_ended        a closed application whose runs stop short of an end of the flow (deemed
                     issued by the term's lapse is the law's ending, not a deviation)
    wrong_result     an issue closed at a refusal end, or a refusal closed at a result end
    ground_outside_list  a refusal ground the regulation version does not list

Rows are read in bulk, ordered by application (no query per case), and a step run stays the
tuple the database returned (no object per event), with its moments already compared by the
database (late, after closing: no moment is parsed in Python); each regulation version's procedure is
compiled once per replay into plain lookups (`Flow`: each step's actor, end and next step by
outcome, and the steps between two of them worked out once per pair), so a million step runs take
one pass of dictionary look-ups.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from django.db.models import BooleanField, Case, DurationField, ExpressionWrapper, F, Q, When
from django.utils.translation import gettext_lazy as _

from qyzmet.engine.models import Application, Status, StepRun
from qyzmet.providers.models import HEAD, StaffRole
from qyzmet.regulations.models import parsed_document

KINDS = (
    "skipped_step",
    "repeated_step",
    "wrong_order",
    "unknown_step",
    "invalid_outcome",
    "wrong_role",
    "late_step",
    "late_decision",
    "after_closing",
    "not_ended",
    "wrong_result",
    "ground_outside_list",
)

# What each kind of finding means, for the provider's conformance page.
KIND_LABELS = {
    "skipped_step": _("a step of the flow was skipped"),
    "repeated_step": _("a step was done again"),
    "wrong_order": _("a step was done out of the flow's order"),
    "unknown_step": _("a step the regulation does not have"),
    "invalid_outcome": _("an outcome the step does not offer"),
    "wrong_role": _("done by someone without the step's role"),
    "late_step": _("a step completed after its due moment"),
    "late_decision": _("the application was decided after its legal term"),
    "after_closing": _("an action after the application was closed"),
    "not_ended": _("closed before an end of the flow"),
    "wrong_result": _("the result contradicts the end reached"),
    "ground_outside_list": _("a refusal ground the regulation does not list"),
}

CHUNK = 5000


class Finding(NamedTuple):
    """One deviation (a tuple: hundreds of thousands are made in a replay of a million events)."""

    application: str  # its number
    provider: str
    kind: str
    step: str = ""
    detail: str = ""


@dataclasses.dataclass
class Report:
    cases: int = 0
    conformant: int = 0
    findings: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def deviations(self) -> int:
        return len(self.findings)

    def by_kind(self) -> dict[str, int]:
        counts = Counter(f.kind for f in self.findings)
        return {kind: counts.get(kind, 0) for kind in KINDS}

    def summary(self) -> str:
        kinds = " ".join(f"{k}={v}" for k, v in self.by_kind().items())
        return f"cases={self.cases} conformant={self.conformant} deviations={self.deviations} {kinds}"

    def as_json(self) -> str:
        return json.dumps(
            {
                "cases": self.cases,
                "conformant": self.conformant,
                "deviations": self.deviations,
                "by_kind": self.by_kind(),
                "findings": [f._asdict() for f in self.findings],
            },
            ensure_ascii=False,
            indent=1,
        )

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(Finding._fields)
        writer.writerows(self.findings)
        return out.getvalue()


def _later(moment: str, than: str):
    """How much later `moment` is than `than` (a duration), None when it is not later or either is
    unknown: the database compares moments, so none is parsed in Python."""
    return Case(
        When(
            **{f"{moment}__gt": F(than)},
            then=ExpressionWrapper(F(moment) - F(than), output_field=DurationField()),
        ),
        default=None,
        output_field=DurationField(),
    )


def _is(condition) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


# A run as the replay reads it: a tuple, with the database's comparisons of its moments.
_RUN_FIELDS = {
    "application_id": F("application_id"),
    "flow": F("flow"),
    "step_id": F("step_id"),
    "role": F("role"),
    "done": _is(Q(completed_at__isnull=False)),
    "late": _later("completed_at", "due_at"),  # completed after its due moment, by how much
    # started or completed after its application closed
    "after": _is(
        Q(started_at__gt=F("application__closed_at")) | Q(completed_at__gt=F("application__closed_at"))
    ),
    "completed_by_id": F("completed_by_id"),
    "assignee_id": F("assignee_id"),
    "outcome": F("outcome"),
}
# The positions of those fields in a run's tuple.
_APP, _FLOW, _STEP, _ROLE, _DONE, _LATE, _AFTER, _BY, _ASSIGNEE, _OUTCOME = range(len(_RUN_FIELDS))
_APP_FIELDS = (
    "id",
    "number",
    "provider_id",
    "provider__code",
    "regulation_id",
    "regulation__digest",
    "procedure",
    "status",
    "refusal_grounds",
)


def applications(provider: str | None = None, since: dt.date | dt.datetime | None = None):
    """The applications to replay, as plain rows (filtered by provider code and filing moment), each
    with `late`: how much after its term it closed (None: not after)."""
    query = Application.objects.order_by("id")
    if provider:
        query = query.filter(provider__code=provider)
    if since:
        query = query.filter(filed_at__gte=since)
    return query.values(*_APP_FIELDS, late=_later("closed_at", "due_at"))


def _runs_by_application(chunk: list[dict], every: bool) -> dict[int, list[tuple]]:
    """The step runs of the applications of `chunk`, as tuples (`_RUN_FIELDS`) in the order they
    started, per application: one query, by the range of their ids when the chunk is every
    application in it (`every`), else by the list of them (a provider's applications are spread
    over the ids: a range would read every other provider's runs too)."""
    if every:
        query = StepRun.objects.filter(
            application_id__gte=chunk[0]["id"], application_id__lte=chunk[-1]["id"]
        )
    else:
        query = StepRun.objects.filter(application_id__in=[app["id"] for app in chunk])
    rows = query.order_by("application_id", "started_at", "id").annotate(
        **{f"r_{k}": v for k, v in _RUN_FIELDS.items()}
    )
    runs: dict[int, list[tuple]] = defaultdict(list)
    for row in rows.values_list(*(f"r_{k}" for k in _RUN_FIELDS)):
        runs[row[_APP]].append(row)
    return runs


def _roles() -> dict[tuple[int, int], set[str]]:
    held: dict[tuple[int, int], set[str]] = defaultdict(set)
    for user_id, provider_id, role in StaffRole.objects.values_list("user_id", "provider_id", "role"):
        held[(user_id, provider_id)].add(role)
    return held


def replay(provider: str | None = None, since=None) -> Report:
    """Replay every application (of a provider, filed since a day) and collect the findings."""
    report = Report()
    roles = _roles()
    compiled = Compiled()
    for chunk in chunks(applications(provider, since).iterator(chunk_size=CHUNK), CHUNK):
        runs = _runs_by_application(chunk, every=not (provider or since))
        found: list[Finding] = []
        for app in chunk:
            findings = check_case(app, runs.get(app["id"], ()), roles, compiled)
            report.cases += 1
            if findings:
                found.extend(findings)
            else:
                report.conformant += 1
        report.findings.extend(_closing_moments(found, chunk))
    return report


def _closing_moments(findings: list[Finding], chunk: list[dict]) -> list[Finding]:
    """The findings with the moment each `after_closing` application closed written in (read
    only for them: a replay parses no moment of the cases that have none)."""
    numbers = {f.application for f in findings if f.kind == "after_closing"}
    if not numbers:
        return findings
    ids = [app["id"] for app in chunk if app["number"] in numbers]
    closed = dict(Application.objects.filter(pk__in=ids).values_list("number", "closed_at"))
    return [
        f._replace(detail=f"closed {closed[f.application].isoformat()}") if f.kind == "after_closing" else f
        for f in findings
    ]


def chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    """Rows in lists of `size` (the last one shorter), so that each list's step runs are read at once."""
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclasses.dataclass(frozen=True)
class Step:
    """A step of a prescribed flow, reduced to what the replay asks of it."""

    id: str
    actor: str
    end: str | None
    branched: bool
    nexts: dict  # outcome (None when the step has no branches) -> the next step's id


class Flow:
    """A procedure of one regulation version compiled for the replay: its steps by id, and the
    steps between two of them (`between`), worked out once per pair and then looked up."""

    def __init__(self, flow):
        self.code, self.start = flow.code, flow.start
        self.steps = {
            s.id: Step(
                s.id,
                s.actor,
                s.end,
                bool(s.branches),
                {b.when: b.to for b in s.branches} if s.branches else {None: s.next},
            )
            for s in flow.steps
        }
        self._flow = flow
        self._between: dict[tuple[str, str], list[str] | None] = {}

    def between(self, start: str, target: str) -> list[str] | None:
        """The steps on the shortest way from `start` to `target`, `target` excluded; None when
        `target` cannot be reached from `start`."""
        key = (start, target)
        if key not in self._between:
            try:
                self._between[key] = _between(self._flow, start, target)
            except ValueError:
                self._between[key] = None
        return self._between[key]


class Compiled:
    """Each regulation version's procedures compiled once (`Flow`) and its refusal grounds, by the
    version's id and digest: a replay parses a version once, whatever the number of its cases."""

    def __init__(self):
        self._flows: dict[tuple[str, str, str], Flow | None] = {}
        self._grounds: dict[tuple[str, str], set[str]] = {}

    def flow(self, regulation: str, digest: str, procedure: str) -> Flow | None:
        key = (regulation, digest, procedure)
        if key not in self._flows:
            found = parsed_document(regulation, digest).procedure(procedure)
            self._flows[key] = None if found is None else Flow(found)
        return self._flows[key]

    def grounds(self, regulation: str, digest: str) -> set[str]:
        key = (regulation, digest)
        if key not in self._grounds:
            self._grounds[key] = {g.code for g in parsed_document(regulation, digest).refusal_grounds}
        return self._grounds[key]


def check_case(
    app: dict, runs, roles: dict[tuple[int, int], set[str]], compiled: Compiled | None = None
) -> list[Finding]:
    """The findings of one application: its runs (tuples, `_RUN_FIELDS`) walked beside its
    procedure's compiled steps."""
    compiled = compiled or Compiled()
    flow = compiled.flow(app["regulation_id"], app["regulation__digest"], app["procedure"])
    findings: list[Finding] = []

    def found(kind: str, step: str = "", detail: str = "") -> None:
        findings.append(Finding(app["number"], app["provider__code"], kind, step, detail))

    if flow is None:
        found("unknown_step", app["procedure"], "the regulation version has no such procedure")
        return findings
    expected: str | None = flow.start
    done: set[str] = set()
    last_step = None
    provider_id = app["provider_id"]
    steps = flow.steps
    for run in runs:
        if run[_FLOW] != flow.code:
            continue
        sid = run[_STEP]
        step = steps.get(sid)
        if run[_AFTER]:
            found("after_closing", sid)  # the detail (when it closed) is written in by the caller
        if step is None:
            found("unknown_step", sid, f"procedure {flow.code} has no step {sid}")
            continue
        if sid in done:
            found("repeated_step", sid)
        elif expected is None:
            found("wrong_order", sid, "after the flow's end")
        elif sid != expected:
            skipped = flow.between(expected, sid)
            if skipped is None:
                found("wrong_order", sid, f"expected {expected}")
            else:
                for missing in skipped:
                    found("skipped_step", missing, f"{sid} ran without it")
        done.add(sid)
        role, by = run[_ROLE], run[_BY]
        if step.actor != role:
            found("wrong_role", sid, f"run as {role}, the step's actor is {step.actor}")
        elif by is not None and by != run[_ASSIGNEE]:
            held = roles.get((by, provider_id), ())
            if role not in held and HEAD not in held:
                found("wrong_role", sid, f"completed by user {by}, not a {role}")
        if not run[_DONE]:
            expected = sid
            continue
        if (late := run[_LATE]) is not None:
            found("late_step", sid, f"{late.total_seconds() / 3600:.1f} h after its due moment")
        outcome = (run[_OUTCOME] or None) if step.branched else None
        nexts = step.nexts
        if outcome in nexts:
            expected = nexts[outcome]
        else:
            found("invalid_outcome", sid, f"outcome {run[_OUTCOME] or None!r}")
            expected = None
        last_step = step
        if step.end:
            expected = None
    _check_closing(app, compiled, last_step, expected, found)
    return findings


def _between(flow, start: str, target: str) -> list[str]:
    """The steps on the shortest way from `start` to `target`, `target` excluded (ValueError when
    `target` cannot be reached from `start`)."""
    choices = flow.path_to(target, start=start)
    steps, sid = [], start
    while sid != target:
        steps.append(sid)
        sid = flow.step(sid).after(choices.get(sid))
    return steps


def _check_closing(app: dict, compiled: Compiled, last_step, expected, found) -> None:
    status = app["status"]
    if status in (Status.IN_PROGRESS, Status.PAUSED):
        return
    if (late := app["late"]) is not None:
        found("late_decision", "", f"{late.total_seconds() / 3600:.1f} h after the term")
    if status == Status.DEEMED_ISSUED:
        return
    if last_step is None or not last_step.end:
        found("not_ended", expected or "", f"closed as {status} before an end of the flow")
    elif (status == Status.ISSUED) != (last_step.end == "result"):
        found("wrong_result", last_step.id, f"closed as {status} at a {last_step.end} end")
    if status == Status.REFUSED:
        listed = compiled.grounds(app["regulation_id"], app["regulation__digest"])
        for ground in app["refusal_grounds"] or []:
            code = ground.get("code") if isinstance(ground, dict) else ground
            if code not in listed:
                found("ground_outside_list", last_step.id if last_step else "", f"ground {code!r}")
