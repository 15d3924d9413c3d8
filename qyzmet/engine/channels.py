"""Running a channel's functional-interaction table for one submission.

A channel (portal, provider office, service centre) is a chain of numbered processes and
conditions. `submit` walks it from the start: processes are recorded as they happen; each
condition is decided by the check it names (`login`, `applicant_record`, `payment`, `eds`,
`documents_complete`, ...), by asking the gateway, the payment gateway or the certification
centre; a failed check follows the regulation's branch to its refusal step and returns that
step's message. Where the channel hands the request over to the provider (a step naming the
internal procedure, or the provider's own check), the application is filed with the engine.

A state database that cannot be reached does not refuse anything: the lookup is queued, and the
submission answers `waiting` with what it waits for; the same submission can be sent again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from qyzmet import clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import record
from qyzmet.i18n import in_language

from . import paths
from .fees import fee_for

PROVIDER_CHECKS = ("grounds", "conclusion")


@dataclass
class Submission:
    """What the applicant (or an operator on their behalf) sends through a channel."""

    regulation: object  # regulations.models.Regulation row in force
    provider: object  # providers.models.Provider
    channel: str
    variant: str
    applicant: str
    authenticated: bool = True
    signed_request: dict | None = None
    payment_id: str | None = None
    documents_complete: bool = True
    initiated_by: str = "portal"
    applicant_name: str = ""
    applicant_user: object = None
    data: dict = field(default_factory=dict)
    at: dt.datetime | None = None


@dataclass
class Passed:
    step: str
    outcome: str | None
    at: dt.datetime
    due: dt.datetime | None
    detail: str = ""


@dataclass
class ChannelResult:
    status: str  # filed | refused | waiting | ready (walked, not yet filed: `file_walked`)
    trace: list[Passed]
    message: dict | None = None  # the regulation's refusal message, kk/ru/en
    reason: str = ""
    application: object = None
    waiting_for: object = None

    def message_text(self, language: str | None = None) -> str:
        return in_language(self.message, language)


class Waiting(Exception):
    def __init__(self, what, detail: str):
        self.what, self.detail = what, detail
        super().__init__(detail)


def _passes(step, ok: bool) -> str:
    """The branch a check's result takes, in the regulation's own vocabulary."""
    whens = [b.when for b in step.branches]
    wanted = paths.GOING_ON if ok else paths.REFUSING
    return next((w for w in wanted if w in whens), whens[0] if ok else whens[-1])


def _check(step, sub: Submission, reg) -> tuple[bool, str]:
    from qyzmet.gateway.errors import NotFound
    from qyzmet.gateway.lookups import look_up_or_queue
    from qyzmet.gateway.models import PendingLookup

    check = step.check
    if check == "login":
        return sub.authenticated, "" if sub.authenticated else "not signed in"
    if check == "applicant_record":
        system = (
            "legal_entities"
            if sub.signed_request
            and sub.signed_request.get("request", {}).get("bin") == sub.applicant
            or _is_bin(sub.applicant)
            else "individuals"
        )
        try:
            found = look_up_or_queue(
                system,
                sub.applicant,
                purpose=f"{reg.id} {sub.channel} {step.id}",
                initiated_by=sub.initiated_by,
            )
        except NotFound:
            return False, f"no record in {system}"
        if isinstance(found, PendingLookup):
            raise Waiting(found, f"{system} unreachable: {found.last_error}")
        return True, f"found in {system}"
    if check == "payment":
        return _paid(sub, reg)
    if check == "eds":
        return _signature(sub)
    if check == "documents_complete":
        return sub.documents_complete, "" if sub.documents_complete else "documents incomplete"
    return True, ""


def _is_bin(number: str) -> bool:
    from qyzmet.identity.numbers import bin_problem, iin_problem

    return iin_problem(number) is not None and bin_problem(number) is None


def _paid(sub: Submission, reg) -> tuple[bool, str]:
    from qyzmet.gateway.clients.payments import PAID, PaymentsClient
    from qyzmet.gateway.errors import GatewayError, NotFound, Unavailable

    fee = fee_for(reg, sub.variant, (sub.at or clock.now()).year)
    if fee is None:
        return True, "no fee for this variant"
    if not sub.payment_id:
        return False, "no payment"
    try:
        status = PaymentsClient().status(sub.payment_id)
    except NotFound:
        return False, "unknown payment"
    except Unavailable as exc:
        raise Waiting(sub.payment_id, f"payment gateway unreachable: {exc}") from exc
    except GatewayError as exc:
        return False, str(exc)
    from decimal import Decimal

    if status.get("status") != PAID:
        return False, f"payment {status.get('status')}"
    if Decimal(str(status.get("amount", "0"))) < fee.tenge:
        return False, f"paid {status.get('amount')} of {fee.tenge} tenge"
    return True, f"paid {status.get('amount')} tenge"


def _signature(sub: Submission) -> tuple[bool, str]:
    from qyzmet.pki.verify import verify_signed_request

    if not sub.signed_request:
        return False, "not signed"
    result = verify_signed_request(sub.signed_request)
    if not result.valid:
        return False, f"{result.reason}: {result.detail}"
    request = sub.signed_request["request"]
    if sub.applicant not in (request.get("iin"), request.get("bin")):
        return False, "the signed request is for another applicant"
    return True, "signature valid"


def _as_json(trace: list[Passed]) -> list[dict]:
    return [
        {**p.__dict__, "at": p.at.isoformat(), "due": p.due.isoformat() if p.due else None} for p in trace
    ]


def submit(sub: Submission, *, hand_over: bool = True) -> ChannelResult:
    """Walk the channel for one submission up to the hand-over to the provider (or a refusal).

    With `hand_over=False` the walk stops where the provider takes over and answers `ready`: the
    checks (the outside calls) are done, and the caller files with `file_walked` inside its own
    transaction, so that no outside call runs while rows are locked."""
    from . import services

    row = sub.regulation
    reg = row.parsed
    flow = reg.channel(sub.channel)
    if flow is None:
        raise services.EngineError(f"{reg.id} has no channel {sub.channel}")
    now = sub.at or clock.now()
    calendar = sub.provider.calendar()
    trace: list[Passed] = []
    sid = flow.start
    while sid is not None:
        step = flow.steps_by_id[sid]
        due = calendar.due(now, step.norm, paths.is_continuous(reg, step)) if step.norm else None
        hands_over = bool(step.procedure) or (step.kind == "condition" and step.check in PROVIDER_CHECKS)
        if hands_over:
            trace.append(Passed(step.id, None, now, due, "handed over to the provider"))
            walked = ChannelResult("ready", trace)
            return file_walked(sub, walked) if hand_over else walked
        if step.end == "refusal":
            trace.append(Passed(step.id, None, now, due))
            record(
                sub.initiated_by,
                AuditAction.CHANNEL_REFUSED,
                ("applicant", sub.applicant),
                {
                    "regulation": reg.id,
                    "channel": sub.channel,
                    "step": step.id,
                    "trace": _as_json(trace),
                },
                at=now,
            )
            return ChannelResult(
                "refused",
                trace,
                message=step.message.model_dump(),
                reason=trace[-2].detail if len(trace) > 1 else "",
            )
        if step.end == "result":
            trace.append(Passed(step.id, None, now, due))
            return ChannelResult("filed", trace)
        if step.branches:
            if step.kind == "condition" and step.check:
                try:
                    ok, detail = _check(step, sub, reg)
                except Waiting as waiting:
                    trace.append(Passed(step.id, None, now, due, waiting.detail))
                    return ChannelResult("waiting", trace, reason=waiting.detail, waiting_for=waiting.what)
                outcome = _passes(step, ok)
            else:
                outcome, detail = paths.choose(step, sub.variant), ""
            trace.append(Passed(step.id, outcome, now, due, detail))
        else:
            outcome = None
            trace.append(Passed(step.id, None, now, due))
        sid = step.after(outcome)
    return ChannelResult("filed", trace)


def file_walked(sub: Submission, walked: ChannelResult) -> ChannelResult:
    """File a submission whose walk answered `ready`, at the step where the provider takes over.

    No outside call: one transaction of the engine's, or a savepoint of the caller's."""
    from . import services

    handed_over = walked.trace[-1]
    app = services.file_application(
        service=sub.regulation.parsed.service,
        provider=sub.provider,
        variant=sub.variant,
        channel=sub.channel,
        applicant=sub.applicant,
        filed_at=handed_over.at,
        actor=sub.initiated_by,
        applicant_name=sub.applicant_name,
        applicant_user=sub.applicant_user,
        data={**sub.data, "channel_trace": _as_json(walked.trace)},
        channel_step=handed_over.step,
        regulation=sub.regulation,
    )
    return ChannelResult("filed", walked.trace, application=app)
