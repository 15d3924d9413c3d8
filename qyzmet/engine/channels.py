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

The walk is two phases: `walk` runs every check (each outside call commits its own evidence,
kept whatever follows) and stops at the hand-over; `hand_over` then files, in a transaction of
its own that makes no outside call. `submit` does both. A payment is consumed by the filing
itself (`Application.payment_id` is unique), so of two filings with one payment one is refused.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import IntegrityError, connections, transaction

from qyzmet import clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import record
from qyzmet.i18n import in_language
from qyzmet.identity.numbers import applicant_kind, is_entity_number

from . import paths
from .applicants import refusal_for
from .fees import fee_for

PROVIDER_CHECKS = paths.PROVIDER_CHECKS

# Said when a check the caller requires is missing from the channel's table (so the regulation
# words no refusal for it): the EDS one is the certification centre's (pki.verify).
PAYMENT_REFUSAL = {
    "kk": "Лицензиялық алым төленбегендіктен сұратудан бас тартылды",
    "ru": "Отказ в запросе в связи с неоплатой лицензионного сбора",
    "en": "The request is refused because the licence fee is not paid",
}


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
class Ready:
    """The walk reached the hand-over to the provider: every check passed."""

    step: object  # the regulation's step that hands over
    trace: list[Passed]
    at: dt.datetime
    payment_id: str | None = None  # the payment the filing consumes (None: no fee)


@dataclass
class ChannelResult:
    status: str  # filed | refused | waiting
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
        # The applicant's kind, or where the number cannot tell it, the one kind the regulation
        # admits: a regulation for legal entities only asks their database alone (e.g. seed 003
        # lines 1405-1412, 1476-1480).
        kinds = reg.admitted_applicants(sub.variant)
        kind = submitted_kind(sub) or (kinds[0] if len(kinds) == 1 else None)
        if kind is None:
            kind = "legal_entity" if is_entity_number(sub.applicant) else "individual"
        system = "individuals" if kind == "individual" else "legal_entities"
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
        return _paid(sub, reg)[:2]
    if check == "eds":
        return _signature(sub)
    if check == "documents_complete":
        return sub.documents_complete, "" if sub.documents_complete else "documents incomplete"
    return True, ""


def _paid(sub: Submission, reg) -> tuple[bool, str, str | None]:
    """Whether the fee is paid by this applicant for what is filed, and not used before; the
    detail, and the payment the filing is to consume (None when no fee is due)."""
    from decimal import Decimal

    from qyzmet.gateway.clients.payments import PAID, PaymentsClient
    from qyzmet.gateway.errors import GatewayError, NotFound, Unavailable

    from .models import Application

    fee = fee_for(reg, sub.variant, (sub.at or clock.now()).year)
    if fee is None:
        return True, "no fee for this variant", None
    if not sub.payment_id:
        return False, "no payment", None
    try:
        status = PaymentsClient().status(sub.payment_id)
    except NotFound:
        return False, "unknown payment", None
    except Unavailable as exc:
        raise Waiting(sub.payment_id, f"payment gateway unreachable: {exc}") from exc
    except GatewayError as exc:
        return False, str(exc), None
    if status.get("status") != PAID:
        return False, f"payment {status.get('status')}", None
    if status.get("payer") != sub.applicant:
        return False, "the payment was made by another payer", None
    for name, filed in (("service", reg.service), ("variant", sub.variant), ("provider", sub.provider.code)):
        paid_for = status.get(name) or ""
        # The provider is the gateway's optional detail; service and variant it always carries.
        if paid_for != filed and (paid_for or name != "provider"):
            return False, f"the payment is for {name} {paid_for or '(none)'}, not {filed}", None
    if Decimal(str(status.get("amount", "0"))) != fee.tenge:
        return False, f"paid {status.get('amount')} tenge, the fee is {fee.tenge}", None
    used = Application.objects.filter(payment_id=sub.payment_id).values_list("number", flat=True).first()
    if used:
        return False, f"the payment was used for application {used}", None
    return True, f"paid {status.get('amount')} tenge", sub.payment_id


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


def refusal_step(flow, check: str):
    """The refusal step on the failing branch of the channel's condition that runs `check`,
    following plain `next` links (a regulation may word the message a step later)."""
    for step in flow.steps:
        if step.kind == "condition" and step.check == check and step.branches:
            failing = step.after(_passes(step, False))
            *_, (last, _outcome) = flow.walk(lambda _step: None, start=failing)
            if last.end == "refusal":
                return last
    return None


def refusal_message(flow, check: str) -> dict:
    """The regulation's refusal message for a failed `check` in this channel (kk/ru/en), or the
    platform's own where the table words none."""
    from qyzmet.pki.verify import GENERIC_REFUSAL

    step = refusal_step(flow, check)
    if step is not None and step.message:
        return step.message.model_dump()
    return dict(GENERIC_REFUSAL if check == "eds" else PAYMENT_REFUSAL)


def refused(sub: Submission, flow, check: str, trace: list[Passed], detail: str) -> ChannelResult:
    """Refuse at the refusal step of `check` (or at `check` itself where the table has none)."""
    now = sub.at or clock.now()
    step = refusal_step(flow, check)
    trace = [*trace, Passed(step.id if step else check, None, now, None, detail)]
    record(
        sub.initiated_by,
        AuditAction.CHANNEL_REFUSED,
        ("applicant", sub.applicant),
        {
            "regulation": sub.regulation.parsed.id,
            "channel": sub.channel,
            "step": trace[-1].step,
            "trace": _as_json(trace),
        },
        at=now,
    )
    return ChannelResult("refused", trace, message=refusal_message(flow, check), reason=detail)


def submit(sub: Submission, *, ensure: tuple[str, ...] = ()) -> ChannelResult:
    """Walk the channel for one submission, then hand it over to the provider (or refuse, or wait)."""
    walked = walk(sub, ensure=ensure)
    return hand_over(sub, walked) if isinstance(walked, Ready) else walked


def walk(sub: Submission, *, ensure: tuple[str, ...] = ()) -> Ready | ChannelResult:
    """Run the channel's checks up to the hand-over to the provider: `Ready`, or a refusal or wait.

    `ensure` names checks (`eds`, `payment`) that must pass even where the channel's table has
    no condition for them: they run at the hand-over, and a failure is refused with the
    platform's message. Nothing here holds a database transaction open.
    """
    from . import services

    row = sub.regulation
    reg = row.parsed
    flow = reg.channel(sub.channel)
    if flow is None:
        raise services.EngineError(f"{reg.id} has no channel {sub.channel}")
    now = sub.at or clock.now()
    kind = submitted_kind(sub)
    refusal = refusal_for(reg, sub.variant, sub.applicant, kind, sub.channel)
    if refusal is not None:
        return _not_admitted(sub, reg, kind, refusal, now)
    calendar = sub.provider.calendar()
    trace: list[Passed] = []
    checked: set[str] = set()
    payment_id = None
    sid = flow.start
    while sid is not None:
        step = flow.steps_by_id[sid]
        if not step.applies(sub.channel, kind):
            # A step the regulation ties to other applicant kinds is passed over (paths.passed_over).
            sid = step.after(paths.choose(step, sub.variant) if step.branches else None)
            continue
        due = calendar.due(now, step.norm, paths.is_continuous(reg, step)) if step.norm else None
        hands_over = paths.hands_over(step)
        if hands_over:
            for check in (c for c in ensure if c not in checked):
                try:
                    ok, detail, consumed = _ensured(check, sub, reg)
                except Waiting as waiting:
                    trace.append(Passed(check, None, now, None, waiting.detail))
                    return ChannelResult("waiting", trace, reason=waiting.detail, waiting_for=waiting.what)
                if not ok:
                    return refused(sub, flow, check, trace, detail)
                trace.append(Passed(check, "yes", now, None, detail))
                payment_id = payment_id or consumed
            trace.append(Passed(step.id, None, now, due, "handed over to the provider"))
            return Ready(step, trace, now, payment_id)
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
                    if step.check == "payment":
                        ok, detail, consumed = _paid(sub, reg)
                        payment_id = payment_id or consumed
                    else:
                        ok, detail = _check(step, sub, reg)
                except Waiting as waiting:
                    trace.append(Passed(step.id, None, now, due, waiting.detail))
                    return ChannelResult("waiting", trace, reason=waiting.detail, waiting_for=waiting.what)
                if ok:
                    checked.add(step.check)
                outcome = _passes(step, ok)
            else:
                outcome, detail = paths.choose(step, sub.variant), ""
            trace.append(Passed(step.id, outcome, now, due, detail))
        else:
            trace.append(Passed(step.id, None, now, due))
            outcome = None
        sid = step.after(outcome)
    return ChannelResult("filed", trace)


def submitted_kind(sub: Submission) -> str | None:
    """The applicant's kind: by the signed request where there is one (the BIN it is made for, or
    only the signer's IIN), else by the number (`applicant_kind`; None when it cannot tell)."""
    request = (sub.signed_request or {}).get("request") or {}
    if request.get("bin") and request.get("bin") == sub.applicant:
        return applicant_kind(sub.applicant, entity=True)
    if request and not request.get("bin") and request.get("iin") == sub.applicant:
        return applicant_kind(sub.applicant, entity=False)
    return applicant_kind(sub.applicant)


def _not_admitted(sub: Submission, reg, kind: str, message: dict, now: dt.datetime) -> ChannelResult:
    """Refuse, before any check, an applicant of a kind the regulation does not admit (a person
    where it admits legal entities only), with the regulation's restriction in kk/ru/en."""
    detail = f"{kind} not admitted (only {', '.join(reg.admitted_applicants(sub.variant))})"
    trace = [Passed("applicant_kind", "no", now, None, detail)]
    record(
        sub.initiated_by,
        AuditAction.CHANNEL_REFUSED,
        ("applicant", sub.applicant),
        {"regulation": reg.id, "channel": sub.channel, "step": "applicant_kind", "trace": _as_json(trace)},
        at=now,
    )
    return ChannelResult("refused", trace, message=message, reason=detail)


def _ensured(check: str, sub: Submission, reg) -> tuple[bool, str, str | None]:
    if check == "payment":
        return _paid(sub, reg)
    if check == "eds":
        return (*_signature(sub), None)
    raise ValueError(f"cannot ensure {check!r}")


def hand_over(sub: Submission, ready: Ready) -> ChannelResult:
    """File the application the walk got ready: one transaction, no outside call in it.

    The payment is written with the application; a filing that loses the race for it is
    refused as the payment check refuses a used payment.
    """
    from . import services
    from .models import Application

    row = sub.regulation
    reg = row.parsed
    connection = connections[Application.objects.db]
    # A savepoint only inside a caller's transaction, so a lost race leaves that usable.
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            app = services.file_application(
                service=reg.service,
                provider=sub.provider,
                variant=sub.variant,
                channel=sub.channel,
                applicant=sub.applicant,
                filed_at=ready.at,
                actor=sub.initiated_by,
                applicant_name=sub.applicant_name,
                applicant_user=sub.applicant_user,
                data={**sub.data, "channel_trace": _as_json(ready.trace)},
                channel_step=ready.step.id,
                regulation=row,
                payment_id=ready.payment_id,
            )
    except IntegrityError:
        used = ready.payment_id and Application.objects.filter(payment_id=ready.payment_id).first()
        if not used:
            raise
        trace = ready.trace[:-1]
        return refused(
            sub,
            reg.channel(sub.channel),
            "payment",
            trace,
            f"the payment was used for application {used.number}",
        )
    return ChannelResult("filed", ready.trace, application=app)
