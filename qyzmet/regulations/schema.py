"""The regulation format: one YAML file per regulation, validated by these pydantic models.

A regulation (регламент) prescribes how one state service is delivered: who provides it,
through which channels, the numbered processes and conditions of each channel with their time
norms, and the provider's internal procedure. Every figure carries a `source` pointing at the
seed file and lines it was read from, or at the article of law it comes from when the seed is
silent. `docs/regulation-format.md` explains the format with examples; the JSON Schema of the
export (`docs/regulation.schema.json`) is generated from these models.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
STEP_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

Slug = Annotated[str, Field(pattern=SLUG)]
StepId = Annotated[str, Field(pattern=STEP_ID)]


class Model(BaseModel):
    # Unknown keys are errors: a typo in a regulation file must not pass silently.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Text(Model):
    """A user-facing text in the three languages of the platform."""

    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Source(Model):
    """Where a figure, name or branch was read.

    `lines` are 1-based, inclusive, in `seed` (by default the regulation's own seed file).
    `law` names a legal source outside the seeds (for a term that lives only in the Standard
    or the Law on permissions). At least one of the two is required.
    """

    seed: str | None = None
    lines: tuple[int, int] | None = None
    law: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _needs_a_place(self):
        if self.lines is None and not self.law:
            raise ValueError("a source needs `lines` in a seed or a `law` reference")
        if self.lines is not None and self.lines[0] > self.lines[1]:
            raise ValueError(f"lines {list(self.lines)}: first line is after the last")
        return self


Unit = Literal["seconds", "minutes", "hours", "working_days", "calendar_days"]


class FixedNorm(Model):
    value: float = Field(gt=0)
    unit: Unit


class RangeNorm(Model):
    min: float = Field(ge=0)
    max: float = Field(gt=0)
    unit: Unit

    @model_validator(mode="after")
    def _ordered(self):
        if self.min > self.max:
            raise ValueError(f"norm range min {self.min} is greater than max {self.max}")
        return self


class WithinWorkingDay(Model):
    unit: Literal["within_working_day"]


Norm = Union[FixedNorm, RangeNorm, WithinWorkingDay]


class Actor(Model):
    """Anyone or anything that performs a step: a person's role, a unit, or an information system."""

    code: Slug
    kind: Literal["applicant", "person", "unit", "information_system", "organisation"]
    name: Text
    source: Source


class Branch(Model):
    """One outcome of a step and where it leads."""

    when: Slug  # yes / no / complete / incomplete / approve / refuse / ...
    label: Text | None = None
    to: StepId


Check = Literal[
    "login",  # the applicant's IIN/BIN and password (or EDS) on the portal
    "applicant_record",  # the applicant's record in the state database of individuals / legal entities
    "payment",  # the licence fee paid through the payment gateway
    "eds",  # EDS certificate: validity period, not revoked, IIN/BIN equal to the request's
    "documents_complete",  # the set of documents against the required list
    "grounds",  # the provider's examination: requirements and grounds for the service
    "conclusion",  # conclusions of other bodies
    "other",
]


# The kinds of applicant, as the seeds name them: a person (жеке тұлға, identified by an IIN), a
# legal entity (заңды тұлға, by a BIN) and an individual entrepreneur (жеке кәсіпкер: an IIN, or a
# BIN of a joint business; seed 000 lines 87-91, seed 001 lines 73-75 and 582-584).
ApplicantKind = Literal["individual", "legal_entity", "individual_entrepreneur"]


# The three refusals a provider gives, each an act of its own (`qyzmet.regulations.refusals`).
RefusalAct = Literal["acceptance", "consideration", "service"]


ChannelCode = Literal["egov_portal", "elicense_portal", "provider_office", "provider_workstation", "psc"]
# The channels an applicant uses online, on the portal (e-government or E-licensing); the others
# are received in person: at the provider (its office or an employee's workstation) or a PSC.
PORTAL_CHANNELS = ("egov_portal", "elicense_portal")
OFFICE_CHANNELS = ("provider_office", "provider_workstation")


class AppliesTo(Model):
    """Which channels and which kinds of applicant a step, a variant or a whole regulation applies
    to, where the regulation says so (an empty list: all of them), and where it says it.

    A step tied to one channel (an approving body's conclusion that the regulation describes only
    for its portal route) is passed over in the others; a regulation or variant admitting only
    legal entities refuses anyone else at intake, whatever the channel."""

    channels: list[ChannelCode] = Field(default_factory=list)
    applicants: list[ApplicantKind] = Field(default_factory=list)
    source: Source

    @model_validator(mode="after")
    def _says_something(self):
        if not self.channels and not self.applicants:
            raise ValueError("`applies_to` needs `channels` or `applicants` (or leave it out)")
        for name in ("channels", "applicants"):
            values = getattr(self, name)
            if len(values) != len(set(values)):
                raise ValueError(f"`applies_to.{name}` repeats a value: {values}")
        return self

    def admits(self, channel: str | None = None, applicant: str | None = None) -> bool:
        """Whether this applies to `channel` and `applicant` (an unknown one is not excluded)."""
        if channel and self.channels and channel not in self.channels:
            return False
        return not (applicant and self.applicants and applicant not in self.applicants)


def admitted(scope: AppliesTo | None, channel: str | None = None, applicant: str | None = None) -> bool:
    """Whether what carries `scope` (its `applies_to`, None for no restriction) applies."""
    return scope is None or scope.admits(channel, applicant)


class Step(Model):
    """A numbered process or condition of a channel, or a step of the internal procedure.

    Exactly one of `next`, `branches` or `end` says what follows.
    """

    id: StepId
    kind: Literal["process", "condition"] = "process"
    check: Check | None = Field(
        default=None,
        description="what a condition checks, so the engine can carry it out (conditions only)",
    )
    number: int | None = Field(default=None, description="the number the regulation gives the step")
    actor: Slug
    action: Text
    norm: Norm | None = None
    norm_note: str | None = Field(default=None, description="why there is no norm, or how it was read")
    counted_from: Literal["start", "registration"] = Field(
        default="start",
        description=(
            "where the norm is counted from: the step's start, or the registration of the application "
            "for a norm that is the term of the whole service (a table's 'the result within 15 working "
            "days' on its last process)"
        ),
    )
    within: StepId | None = Field(
        default=None,
        description=(
            "the step with a norm whose numbered item the regulation places this one in (a step "
            "without a norm of its own): it is done within that item's norm and falls due with it"
        ),
    )
    next: StepId | None = None
    branches: list[Branch] = Field(default_factory=list)
    end: Literal["result", "refusal"] | None = None
    result: Slug | None = Field(default=None, description="code of the result formed at this end")
    message: Text | None = Field(default=None, description="the message formed on a refusal branch")
    refusal: RefusalAct | None = Field(
        default=None,
        description=(
            "which of the three refusals a refusal end gives: `acceptance` (documents not accepted, at "
            "the desk), `consideration` (reasoned refusal of further consideration of the application: "
            "incomplete set, within 2 working days of registration) or `service` (reasoned refusal to "
            "provide the service, on the grounds of the law); `service` when not given"
        ),
    )
    procedure: str | None = Field(
        default=None, description="code of the internal procedure this step stands for, if any"
    )
    requests_conclusion_from: list[Slug] = Field(default_factory=list)
    collegial: bool = False
    signs: bool = False
    result_text: Text | None = Field(default=None, description="what the step produces")
    applies_to: AppliesTo | None = Field(
        default=None,
        description=(
            "the channels and applicant kinds this step is for, where the regulation ties it to some; "
            "elsewhere the engine passes over it (a condition takes its going-on branch)"
        ),
    )
    source: Source

    @model_validator(mode="after")
    def _one_way_on(self):
        ways = [self.next is not None, bool(self.branches), self.end is not None]
        if sum(ways) != 1:
            raise ValueError(f"step {self.id}: give exactly one of `next`, `branches` or `end`")
        if self.within is not None and self.norm is not None:
            raise ValueError(f"step {self.id}: a step with a norm of its own is not `within` another")
        if self.counted_from != "start" and self.norm is None:
            raise ValueError(f"step {self.id}: `counted_from` needs a norm to count")
        if self.within == self.id:
            raise ValueError(f"step {self.id} cannot be `within` itself")
        if self.check is not None and self.kind != "condition":
            raise ValueError(f"step {self.id}: only a condition has a `check`")
        if self.kind == "condition" and not self.branches:
            raise ValueError(f"condition {self.id} must have `branches`")
        whens = [b.when for b in self.branches]
        if len(whens) != len(set(whens)):
            raise ValueError(f"step {self.id}: repeated branch outcome in {whens}")
        if self.end == "refusal" and self.message is None:
            raise ValueError(f"step {self.id} ends in a refusal but gives no `message`")
        if self.refusal is not None and self.end != "refusal":
            raise ValueError(f"step {self.id}: only a refusal end names its `refusal` act")
        if self.applies_to is not None and self.end is not None:
            raise ValueError(f"step {self.id}: an end cannot be passed over, so it takes no `applies_to`")
        return self

    def applies(self, channel: str | None = None, applicant: str | None = None) -> bool:
        """Whether the step runs for an application in `channel` by an `applicant` of that kind."""
        return admitted(self.applies_to, channel, applicant)

    @property
    def successors(self) -> list[str]:
        """The ids of the steps that may come next: the `next` one or each branch's (none at an end)."""
        return [self.next] if self.next else [b.to for b in self.branches]

    def after(self, outcome: str | None = None) -> str | None:
        """The id of the step that follows on `outcome` (a branch's `when`); None after an end."""
        if not self.branches:
            return self.next
        for branch in self.branches:
            if branch.when == outcome:
                return branch.to
        raise ValueError(
            f"step {self.id} has no outcome {outcome!r}; it has {[b.when for b in self.branches]}"
        )


class Flow(Model):
    """Steps from `start` to the ends: a channel or an internal procedure, and the ways through it.

    Every walk through a flow (the expected path, a channel run, a search for the hand-over or a
    refusal, the BPMN export, the validator's reachability) goes through these methods.
    """

    code: str
    name: Text
    variants: list[Slug] = Field(default_factory=list, description="empty means every variant")
    start: StepId
    steps: list[Step] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)
    source: Source

    @functools.cached_property
    def steps_by_id(self) -> dict[str, Step]:
        """The steps by id (a repeated id, which the validator reports, keeps its last step)."""
        return {s.id: s for s in self.steps}

    def step(self, step_id: str) -> Step | None:
        return self.steps_by_id.get(step_id)

    def walk(
        self, choose: Callable[[Step], str | None], start: str | None = None
    ) -> Iterator[tuple[Step, str | None]]:
        """The steps from `start` (the flow's own by default) to an end, each with the outcome taken.

        At a step with branches `choose(step)` names the outcome (a branch's `when`); naming none
        ends the walk there. A step reached a second time raises ValueError: a walk that loops
        never ends.
        """
        sid, seen = start or self.start, set()
        while sid is not None:
            if sid in seen:
                raise ValueError(f"the expected path loops at {sid}")
            seen.add(sid)
            step = self.steps_by_id[sid]
            outcome = choose(step) if step.branches else None
            yield step, outcome
            if step.branches and outcome is None:
                return
            sid = step.after(outcome)

    def reachable(self) -> set[str]:
        """The ids of the steps some way from the start reaches (ids that are no step are passed over)."""
        reached, stack = set(), [self.start]
        while stack:
            sid = stack.pop()
            if sid in reached or sid not in self.steps_by_id:
                continue
            reached.add(sid)
            stack.extend(self.steps_by_id[sid].successors)
        return reached

    def path_to(self, target: str, start: str | None = None) -> dict[str, str]:
        """The branch choices that lead from `start` (the flow's own by default) to `target`.

        Breadth-first, so the shortest way; ValueError when there is none.
        """
        start = start or self.start
        previous: dict[str, tuple[str, str | None]] = {start: ("", None)}
        queue = deque([start])
        while queue:
            sid = queue.popleft()
            if sid == target:
                break
            step = self.steps_by_id[sid]
            moves = [(step.next, None)] if step.next else [(b.to, b.when) for b in step.branches]
            for to, when in moves:
                if to not in previous:
                    previous[to] = (sid, when)
                    queue.append(to)
        if target not in previous:
            raise ValueError(f"{target} cannot be reached")
        choices, sid = {}, target
        while sid != start:
            prev, when = previous[sid]
            if when is not None:
                choices[prev] = when
            sid = prev
        return choices


class Channel(Flow):
    """One way of applying, with its functional-interaction table as numbered steps."""

    code: ChannelCode


class Procedure(Flow):
    """The provider's internal procedure (structural units and staff), as steps with roles."""

    code: Slug


class Fee(Model):
    """The licence fee in monthly calculation index units (MCI), as the Tax Code sets it."""

    mci: float | None = Field(default=None, ge=0)
    share_of_issue: float | None = Field(default=None, gt=0, le=1)
    max_mci: float | None = Field(default=None, gt=0)
    source: Source


class Variant(Model):
    code: Slug
    name: Text
    term: Norm | None = None
    term_note: str | None = None
    term_source: Source
    fee: Fee | None = None
    applies_to: AppliesTo | None = Field(
        default=None,
        description="the channels and applicant kinds this variant is for, if the regulation limits them",
    )


class Repeal(Model):
    issuer: Text | None = None
    kind: str
    number: str
    date: dt.date
    in_force_from: dt.date | None = None
    source: Source


class Amendment(Model):
    kind: str
    number: str
    date: dt.date
    note: str | None = None
    source: Source


class Registration(Model):
    number: str
    date: dt.date
    source: Source


class Act(Model):
    """The act that approved the regulation."""

    issuer: Text
    kind: Literal["ministerial_order", "akimat_resolution"]
    number: str
    date: dt.date
    title: Text
    justice_registration: Registration | None = None
    amendments: list[Amendment] = Field(default_factory=list)
    repealed_by: Repeal | None = None
    source: Source


class StandardClause(Model):
    clause: str
    subject: str  # term, documents, fee, refusal_grounds, working_hours, ...
    source: Source


class Standard(Model):
    """The service standard the regulation rests on (a separate act, not in the seeds).

    `kind`, `number` and `date` name the act in every language ("Government Decree No. 141 of
    24.02.2014"); `act` is the full citation as read, kept for the record. `url` is the act's
    official text, given only where the team has checked the address.
    """

    title: Text
    act: str = Field(description="e.g. 'Government Decree No. 141 of 24.02.2014'")
    kind: Literal["government_decree", "ministerial_order"]
    number: str
    date: dt.date
    url: str | None = Field(default=None, pattern=r"^https://")
    clauses_cited: list[StandardClause] = Field(default_factory=list)
    source: Source


class Provider(Model):
    code: Slug
    name: Text
    territorial: bool = Field(default=False, description="provided by territorial units, one per region")
    source: Source


class InForce(Model):
    """The period the regulation was in force; `until` is the day it ceased (exclusive)."""

    from_: dt.date = Field(alias="from")
    until: dt.date | None = None
    source: Source

    @model_validator(mode="after")
    def _ordered(self):
        if self.until is not None and self.until <= self.from_:
            raise ValueError("in_force.until must be after in_force.from")
        return self


class Validity(Model):
    """How long a result is valid: a term from its issue, or indefinite, and where that is said.

    Law 202-V Art. 29 p.7: licences are issued without a term unless Annex 1 gives one; Art. 22
    p.2 (3): the annexes note the term of other permits."""

    indefinite: bool = False
    value: int | None = Field(default=None, gt=0)
    unit: Literal["years", "months", "days"] | None = None
    source: Source

    @model_validator(mode="after")
    def _term_or_indefinite(self):
        if self.indefinite == (self.value is not None) or (self.value is None) != (self.unit is None):
            raise ValueError("give either `indefinite: true` or a term (`value` and `unit`)")
        return self


class Result(Model):
    code: Slug
    kind: Literal[
        "licence",
        "licence_annex",
        "reissued_licence",
        "duplicate",
        "certificate",
        "accreditation_certificate",
        "conclusion",
        "permit",
        "talon",
        "database_inclusion",
        "notification",
        "refusal",
    ]
    name: Text
    forms: list[Literal["electronic", "paper"]] = Field(min_length=1)
    signed_by: Slug | None = None
    validity: Validity | None = Field(
        default=None, description="the term of validity, or indefinite; absent: the seed says nothing"
    )
    source: Source


# The states an application is in at the engine (`qyzmet.engine.models.Status`); the schema is
# plain pydantic, so the list is repeated here and a test keeps the two equal.
EngineState = Literal["in_progress", "paused", "issued", "refused", "deemed_issued"]


class Status(Model):
    """A status of the application as the regulation names it (shown in the personal cabinet)."""

    code: Slug
    name: Text
    # The engine states this status stands for: while an application is in one of them, the
    # cabinet and the applicant API show the regulation's name for it. A state belongs to at most
    # one status of a regulation; a state no status claims is shown by its engine label.
    means: list[EngineState] = Field(
        min_length=1, description="the engine states this status of the regulation stands for"
    )
    applies_to: AppliesTo | None = Field(
        default=None,
        description=(
            "the channels whose applications the regulation gives this status (e.g. the notice sent "
            "to the portal's personal cabinet 'when the service is applied for through the portal'); "
            "elsewhere the state is shown by its engine label"
        ),
    )
    source: Source


class RefusalGround(Model):
    code: Slug
    text: Text
    source: Source


class Indicator(Model):
    code: Slug
    name: Text
    value: Text | None = None
    source: Source


class Requirement(Model):
    code: Slug
    text: Text
    source: Source


class FormField(Model):
    """A field of the request form that the regulation (or the Standard it cites) asks for."""

    code: Literal["subtypes", "address", "activity_object"]
    label: Text
    required: bool = False
    source: Source


class FormDocument(Model):
    """A document the applicant attaches, as the regulation names it (often only by the Standard's clause).

    `stands_for` says what the entry is: a `document` the seed (or the law) names; the list of a
    `standard_clause` (`clause`), which the regulation cites without quoting it, the Standard
    being a separate act the seeds do not hold; or `unnamed`: the regulation says "the necessary
    documents" and names neither a list nor a clause. Nothing else is put in a list: what cannot
    be cited is shown as not cited, with the Standard's number and date.
    """

    code: Slug
    name: Text
    required: bool = True
    stands_for: Literal["document", "standard_clause", "unnamed"] = "document"
    clause: str | None = Field(
        default=None, description="the Standard's clause a `standard_clause` entry stands for"
    )
    source: Source

    @model_validator(mode="after")
    def _clause_for_a_clause(self):
        if (self.stands_for == "standard_clause") != (self.clause is not None):
            raise ValueError(
                f"document {self.code}: a `clause` is given exactly for `stands_for: standard_clause`"
            )
        return self

    @property
    def named(self) -> bool:
        """The entry is a document by name, not a reference to a list the team cannot cite."""
        return self.stands_for == "document"


class RequestFormSpec(Model):
    """The request form of a service for some variants (empty `variants`: all of them)."""

    variants: list[Slug] = Field(default_factory=list)
    fields: list[FormField] = Field(default_factory=list)
    documents: list[FormDocument] = Field(min_length=1)
    source: Source


class Reading(Model):
    """A recorded choice where the seed is garbled, contradicts itself, or is silent.

    Written in English as the team read the seed; given as kk/ru/en texts once translated, so
    that a kk or ru page shows it (an English-only reading is offered in English instead)."""

    topic: str | Text
    reading: str | Text
    why: str | Text
    source: Source

    @property
    def translated(self) -> bool:
        return all(isinstance(part, Text) for part in (self.topic, self.reading, self.why))


class Regulation(Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")]
    service: Slug
    title: Text
    source: Source
    act: Act
    standard: Standard
    provider: Provider
    in_force: InForce
    variants: list[Variant] = Field(min_length=1)
    actors: list[Actor] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    procedures: list[Procedure] = Field(default_factory=list)
    results: list[Result] = Field(min_length=1)
    statuses: list[Status] = Field(default_factory=list)
    refusal_grounds: list[RefusalGround] = Field(default_factory=list)
    quality_indicators: list[Indicator] = Field(default_factory=list)
    security_requirements: list[Requirement] = Field(default_factory=list)
    technical_conditions: list[Requirement] = Field(default_factory=list)
    request_forms: list[RequestFormSpec] = Field(default_factory=list)
    readings: list[Reading] = Field(default_factory=list)
    applies_to: AppliesTo | None = Field(
        default=None,
        description=(
            "the applicant kinds (and channels) the whole regulation admits, where it names them "
            "(e.g. 'Заңды тұлғалар (бұдан әрі - көрсетілетін қызметті алушы)'); absent: anyone"
        ),
    )
    export_control: bool = Field(
        default=False,
        description=(
            "licences for products subject to export control (Law 202-V Art. 37 p.2): the term "
            "stands still while the end-user certificate's confirmation is awaited"
        ),
    )

    @field_validator("statuses")
    @classmethod
    def _one_status_per_engine_state(cls, statuses: list[Status]) -> list[Status]:
        claimed: dict[str, str] = {}
        for status in statuses:
            for state in status.means:
                if state in claimed:
                    raise ValueError(
                        f"engine state {state!r} is claimed by both {claimed[state]!r} and "
                        f"{status.code!r}; each engine state may stand for one status of the regulation"
                    )
                claimed[state] = status.code
        return statuses

    def status_for(self, state: str, channel: str | None = None) -> Status | None:
        """The regulation's own status for an engine state of an application that came through
        `channel` (any, when not given), if it names one."""
        return next((s for s in self.statuses if state in s.means and admitted(s.applies_to, channel)), None)

    @model_validator(mode="after")
    def _source_is_a_seed_range(self):
        if self.source.lines is None or not self.source.seed:
            raise ValueError("the regulation's own `source` needs `seed` and `lines`")
        if not re.match(r"^\d{3}_[0-9a-f]{16}\.txt$", self.source.seed):
            raise ValueError(f"unknown seed file name {self.source.seed!r}")
        return self

    def admitted_applicants(self, variant: str | None = None) -> list[str]:
        """The applicant kinds the regulation (and the variant, if it narrows them) admits; empty: all."""
        kinds: list[str] = list(self.applies_to.applicants) if self.applies_to else []
        v = self.variant(variant) if variant else None
        if v is not None and v.applies_to is not None and v.applies_to.applicants:
            kinds = [k for k in v.applies_to.applicants if not kinds or k in kinds]
        return kinds

    def admits(
        self, variant: str | None = None, applicant: str | None = None, channel: str | None = None
    ) -> bool:
        """Whether the regulation (and `variant`) is for an applicant of kind `applicant` in `channel`."""
        v = self.variant(variant) if variant else None
        return admitted(self.applies_to, channel, applicant) and admitted(
            v.applies_to if v is not None else None, channel, applicant
        )

    def actor(self, code: str) -> Actor | None:
        return next((a for a in self.actors if a.code == code), None)

    def variant(self, code: str) -> Variant | None:
        return next((v for v in self.variants if v.code == code), None)

    def channel(self, code: str) -> Channel | None:
        return next((c for c in self.channels if c.code == code), None)

    def procedure(self, code: str) -> Procedure | None:
        return next((p for p in self.procedures if p.code == code), None)

    def step(self, flow_code: str, step_id: str) -> Step | None:
        """A step of an internal procedure or a channel, by the flow's code and the step's id."""
        flow = self.procedure(flow_code) or self.channel(flow_code)
        return flow.step(step_id) if flow else None

    def refusal_act(self, flow_code: str, step_id: str) -> str | None:
        """Which refusal the end `step_id` gives (its `refusal`, by default the refusal to provide
        the service); None for a step that is no refusal end."""
        step = self.step(flow_code, step_id)
        if step is None or step.end != "refusal":
            return None
        return step.refusal or "service"

    def refusal_acts(self) -> dict[str, list[tuple[str, str]]]:
        """The refusals the internal procedures can end in, each with its ends (flow, step id)."""
        acts: dict[str, list[tuple[str, str]]] = {}
        for flow in self.procedures:
            for step in flow.steps:
                if step.end == "refusal":
                    acts.setdefault(step.refusal or "service", []).append((flow.code, step.id))
        return acts

    def request_form_for(self, variant: str) -> RequestFormSpec | None:
        """The request form of a variant (a form with no variants applies to all)."""
        for form in self.request_forms:
            if variant in form.variants:
                return form
        return next((f for f in self.request_forms if not f.variants), None)

    def documents_for(self, variant: str) -> list[FormDocument]:
        """The documents the applicant attaches for a variant (none without a request form)."""
        form = self.request_form_for(variant)
        return list(form.documents) if form else []

    def document_lists(self) -> list[tuple[list[Variant], RequestFormSpec]]:
        """Each request form with the variants whose document list it is, in the variants' order."""
        lists: list[tuple[list[Variant], RequestFormSpec]] = []
        for variant in self.variants:
            form = self.request_form_for(variant.code)
            if form is None:
                continue
            for variants, listed in lists:
                if listed is form:
                    variants.append(variant)
                    break
            else:
                lists.append(([variant], form))
        return lists

    def procedure_for(self, variant: str) -> Procedure | None:
        """The internal procedure that applies to a variant (a procedure with no variants applies to all)."""
        for p in self.procedures:
            if variant in p.variants:
                return p
        return next((p for p in self.procedures if not p.variants), None)
