"""What the API reads and returns. Texts from regulations come in the request's language
(Accept-Language: kk, ru or en); moments are ISO 8601 with their offset."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from qyzmet.engine.models import Status


class Error(Schema):
    detail: str = Field(description="what went wrong, in the request's language")


class FieldError(Schema):
    loc: list[str | int] = Field(description="where: body/query/path, then the field name")
    msg: str
    type: str


class ValidationErrors(Schema):
    detail: list[FieldError]


# Reading --------------------------------------------------------------------------------------


class InboxItem(Schema):
    run_id: int
    application: str = Field(description="application number")
    service: str
    provider: str = Field(description="provider code")
    applicant: str = Field(description="IIN or BIN")
    applicant_name: str
    application_status: Status
    step: str = Field(description="step id in the regulation")
    action: str = Field(description="what the step does, from the regulation")
    role: str
    assignee: str | None
    started_at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool


class Inbox(Schema):
    count: int = Field(description="open steps matching the filters, before limit/offset")
    items: list[InboxItem]


class CurrentStep(Schema):
    run_id: int
    step: str
    action: str
    role: str
    assignee: str | None
    started_at: dt.datetime
    due_at: dt.datetime | None
    due_rule: str = Field(description="the law rule that set the due moment, if any")
    overdue_since: dt.datetime | None
    allowed_outcomes: list[str]
    collegial: bool = Field(
        description="decided at a meeting of a commission or council: completing it needs the meeting's protocol"
    )
    may_act: bool = Field(description="whether the caller may complete or assign this step")


class ProtocolRecord(Schema):
    number: str
    meeting_at: dt.datetime = Field(description="when the meeting was held")
    chair: str
    members: list[str] = Field(description="names of the members present, the chair first")
    secretary: str = Field(description="who drew up the protocol (may be empty)")
    decision: str = Field(description="the decision taken: the step's outcome")
    reasoning: str
    recorded_at: dt.datetime = Field(description="when the step was completed with this protocol")


class StepRecord(Schema):
    run_id: int
    step: str
    role: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    completed_by: str | None
    outcome: str
    kept: bool | None = Field(description="completed by its due moment (null: no due moment, or open)")
    protocol: ProtocolRecord | None = Field(
        description="the protocol of the meeting that decided the step (collegial steps only)"
    )


class Conclusion(Schema):
    id: int
    step: str
    body: str
    requested_at: dt.datetime
    due_at: dt.datetime
    answer: Literal["pending", "positive", "negative", "deemed_positive"]
    answered_at: dt.datetime | None
    note: str


class PauseRecord(Schema):
    reason: str
    law: str = Field(description="the legal source of the rule the clock was stopped on")
    note: str
    asked: str = Field(description="what the applicant was asked")
    answer: str = Field(description="the applicant's answer, which restarted the clock")
    answered_at: dt.datetime | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    started_by: str
    ended_by: str


class RefusalGround(Schema):
    code: str
    text: str


class HistoryEntry(Schema):
    at: dt.datetime
    actor: str
    action: str
    data: dict[str, Any]


class ApplicationDetail(Schema):
    number: str
    service: str
    regulation: str = Field(description="id of the regulation version the application is filed under")
    variant: str
    channel: str
    procedure: str
    provider: str
    applicant: str
    applicant_name: str
    status: Status
    filed_at: dt.datetime
    registered_at: dt.datetime
    due_at: dt.datetime | None = Field(description="the application's term; moves when the clock is paused")
    closed_at: dt.datetime | None
    overdue_since: dt.datetime | None
    result: str
    refusal_grounds: list[str]
    refusal_text: str
    current_steps: list[CurrentStep]
    steps: list[StepRecord]
    conclusions: list[Conclusion]
    pauses: list[PauseRecord]
    grounds_available: list[RefusalGround] = Field(description="refusal grounds the regulation allows")
    history: list[HistoryEntry] = Field(description="the audit log of the application, oldest first")


class StatusCounts(Schema):
    in_progress: int
    paused: int
    issued: int
    refused: int
    deemed_issued: int


class Figures(Schema):
    open: int
    due_today: int = Field(description="in progress, due from now to the end of today (Almaty time)")
    overdue: int = Field(description="in progress, due moment passed")


class Dashboard(Schema):
    provider: str
    name: str
    at: dt.datetime
    applications_by_status: StatusCounts
    applications: Figures
    steps: Figures


# Actions --------------------------------------------------------------------------------------


class Protocol(Schema):
    """The protocol (minutes) of the meeting at which a commission or council decided the step."""

    number: str = Field(description="the protocol's number, e.g. `No. 12`", max_length=40)
    meeting_at: dt.datetime = Field(
        description="when the meeting was held: not before the step started, not after it is completed "
        "(without an offset: Almaty time)"
    )
    members: list[str] = Field(description="names of the members present, at least one")
    chair: str = Field("", description="who chaired the meeting (counted present); the first member if empty")
    secretary: str = Field("", description="who drew up the protocol")
    reasoning: str = Field("", description="the reasoning of the decision")


class CompleteStep(Schema):
    outcome: str | None = Field(
        None, description="one of the step's allowed outcomes; may be left out when it has only `done`"
    )
    note: str = ""
    grounds: list[str] = Field(default_factory=list, description="refusal ground codes (refusals only)")
    protocol: Protocol | None = Field(
        None,
        description="the meeting's protocol: required when the step is `collegial` (its decision is "
        "the outcome), refused for any other step",
    )


class AssignStep(Schema):
    username: str = Field(min_length=1, max_length=150)


class AnswerConclusion(Schema):
    answer: Literal["positive", "negative"]
    note: str = ""


class PauseClock(Schema):
    reason: str = Field(
        max_length=40,
        description="the code of a pause rule of the law that applies to the application (law_rules.yaml); "
        "where none applies, the clock cannot be stopped (409)",
    )
    note: str = Field("", description="what exactly is asked, added to what the rule asks")
