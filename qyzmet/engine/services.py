"""State changes of applications: each one database transaction and one audit entry.

Named mutation functions (file, complete a step, assign, pause, resume, answer a conclusion, and
the periodic `tick`) are the only code that changes an application. Concurrent actions on one
step are settled by a conditional UPDATE (`... WHERE completed_at IS NULL`): exactly one wins,
the other gets `StepAlreadyCompleted` and its transaction changes nothing.

Filing, answering and completing read what they need first and then write in `store`: on
PostgreSQL one statement that is its own transaction and re-checks what the read found (the run
still open, the application still in progress, the request still pending), so a change computed
from a stale read does nothing and says why.

Each change records its event (`events`) in the outbox with the change itself and hands it to its
subscribers once committed (`qyzmet.outbox`): the register, the applicant's notices and the rest
act on those events. The engine calls nothing above it.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from qyzmet import access, clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import ensure_heads, new_entry, record
from qyzmet.i18n import in_language
from qyzmet.identity.numbers import applicant_kind
from qyzmet.outbox import events as outbox
from qyzmet.outbox.subscribers import publish
from qyzmet.providers.models import Provider, calendar_for_hours, roles_of
from qyzmet.regulations.models import Regulation, parsed_document
from qyzmet.regulations.schema import Step

from . import events, paths, store
from .applicants import not_admitted
from .law import pauses_for, rules_for
from .models import Application, ConclusionRequest, Pause, PauseFile, Protocol, Status, StepRun


class EngineError(Exception):
    """An action the regulation or the application's state does not allow; the message says why."""


class NoRegulationInForce(EngineError):
    pass


class InvalidTransition(EngineError):
    pass


class StepAlreadyCompleted(EngineError):
    pass


class NotPermitted(EngineError):
    pass


@dataclass(frozen=True)
class Begun:
    """A run a change has just started, with the conclusion requests it opened, as they were at
    that moment: the caller needs no query to learn what to do next."""

    run: StepRun
    conclusions: tuple[ConclusionRequest, ...] = ()


@dataclass(frozen=True)
class Filed:
    application: Application
    first: Begun


# Filing ---------------------------------------------------------------------------------------


def file_application(**kwargs) -> Application:
    """File an application (see `file`) and return it."""
    return file(**kwargs).application


def file(
    *,
    service: str,
    provider: Provider,
    variant: str,
    channel: str,
    applicant: str,
    filed_at: dt.datetime,
    actor="system",
    applicant_name: str = "",
    applicant_user=None,
    data: dict | None = None,
    channel_step: str | None = None,
    regulation: Regulation | None = None,
    payment_id: str | None = None,
) -> Filed:
    """Register an application under the regulation version in force for its provider that day.

    `regulation` is the version the caller already found (a channel walks it); it is used when it
    is the one in force on the filing day, and looked up again otherwise. Returns the application
    with its first run and that run's conclusion requests. `payment_id` is the fee payment the
    application consumes: a second filing with it fails on its unique index (IntegrityError) and
    writes nothing."""
    from qyzmet.identity.numbers import problem

    if problem(applicant):
        raise EngineError(
            _("IIN/BIN %(number)s: %(problem)s") % {"number": applicant, "problem": problem(applicant)}
        )
    local_day = timezone.localtime(filed_at).date()
    # the document is parsed once per process and version (Regulation.parsed), not read each time
    row = regulation
    if row is None or not row.applies(service, provider.acts_as, local_day):
        row = Regulation.objects.defer("document").version_for(service, provider.acts_as, local_day)
    if row is None:
        raise NoRegulationInForce(
            _("No regulation of %(service)s was in force at %(provider)s on %(day)s")
            % {"service": service, "provider": provider.code, "day": local_day}
        )
    reg = row.parsed
    if reg.variant(variant) is None:
        raise EngineError(
            _("%(service)s has no variant %(variant)s") % {"service": service, "variant": variant}
        )
    kind = applicant_kind(applicant)
    if not reg.admits(variant, kind):
        # The intake (channels.walk) refuses such an applicant first, with the regulation's words.
        raise EngineError(in_language(not_admitted(reg, variant, applicant)))
    procedure = reg.procedure_for(variant)
    if procedure is not None:
        flow_code, start = procedure.code, procedure.start
    elif channel_step and reg.channel(channel) is not None:
        # No internal procedure is written: the provider performs the channel's own check.
        flow_code, start = channel, channel_step
    else:
        raise EngineError(
            _("%(id)s has no internal procedure for %(variant)s") % {"id": reg.id, "variant": variant}
        )
    calendar = provider.calendar()
    # Received after the provider's hours or on a day off, it is registered the next working day
    # (paths.registration); the provider's steps and the term run from the registration.
    registered_at = paths.registration(filed_at, calendar)
    term_due = paths.application_term_due(reg, variant, registered_at, calendar, channel, kind)
    flow = reg.procedure(flow_code) or reg.channel(flow_code)
    first = _next_step(
        reg,
        flow_code,
        paths.passed_over(flow, flow.step(start), variant, channel, kind),
        registered_at,
        filed_at,
        registered_at,
        calendar,
        term_due=term_due,
    )
    started = _started_data(first)
    app = Application(
        regulation=row,
        service=service,
        variant=variant,
        channel=channel,
        procedure=flow_code,
        applicant=applicant,
        applicant_name=applicant_name,
        applicant_user=applicant_user,
        provider=provider,
        filed_at=filed_at,
        # The term runs from registration (Civil Code Art. 173: from the next day, which the
        # calendar's day arithmetic does).
        registered_at=registered_at,
        due_at=term_due,
        data=data or {},
        payment_id=payment_id or None,
    )
    event = outbox.new_event(events.FILED, filed_at, channel=channel, service=service, variant=variant)

    def identified(app: Application):
        """The number and the audit entry, once the application has its id: both carry it."""
        app.number = _number(filed_at, app.pk)
        return new_entry(
            actor, AuditAction.APPLICATION_FILED, app, _filed_data(app, reg, started), at=filed_at
        )

    connection = connections[Application.objects.db]
    # On PostgreSQL two round trips and no BEGIN or COMMIT: the id, then one statement.
    with _one_change(connection):
        begun = _written(connection, lambda: store.file(connection, app, first, identified, event))
    if not begun:
        raise EngineError(_("The application could not be recorded; nothing was saved."))
    publish([event], connection.alias)
    return Filed(app, _begun(app.pk, first, begun))


def _begun(application_id: int, nxt: store.NextStep, begun: store.Started) -> Begun:
    """The run a change has just started, with the conclusion requests it opened."""
    run = _loaded(
        StepRun,
        id=begun.run_id,
        application_id=application_id,
        flow=nxt.flow,
        step_id=nxt.step_id,
        role=nxt.role,
        started_at=nxt.started,
        due_at=nxt.due,
        due_rule=nxt.rule,
    )
    due = dict(nxt.asked)
    requests = tuple(
        _loaded(
            ConclusionRequest,
            id=pk,
            application_id=application_id,
            step_run_id=run.pk,
            body=body,
            requested_at=nxt.started,
            due_at=due[body],
        )
        for pk, body in begun.requests
    )
    return Begun(run, requests)


_DEFAULTS: dict = {}  # per model: each concrete field's attribute name and default


def _loaded(model, **values):
    """An instance of a row a statement has just written, as the ORM builds one it reads (its
    fields in order, no default worked out field by field); the fields not given hold their
    defaults, as the row does."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        fields = model._meta.concrete_fields
        if any(callable(f.default) for f in fields):  # a default made anew for each row
            row = model(**values)
            row._state.adding, row._state.db = False, model.objects.db
            return row
        defaults = _DEFAULTS[model] = [(f.attname, f.get_default()) for f in fields]
    return model.from_db(model.objects.db, None, [values.get(name, default) for name, default in defaults])


def _number(filed_at: dt.datetime, pk: int) -> str:
    return f"QZ-{timezone.localtime(filed_at):%y%m%d}-{pk:06d}"


def _filed_data(app: Application, reg, started: dict) -> dict:
    return {
        "number": app.number,
        "regulation": reg.id,
        "variant": app.variant,
        "channel": app.channel,
        "applicant": app.applicant,
        "due_at": app.due_at,
        "started": started,
    }


# Steps ----------------------------------------------------------------------------------------


def _next_step(
    reg,
    flow_code: str,
    step: Step,
    started,
    filed_at,
    registered_at,
    calendar,
    refusal=None,
    *,
    item_due=None,
    term_due=None,
):
    """The run of the step the application reaches at `started`: its due moment (its norm on the
    provider's calendar, or the due of the item it lies in, bounded by the law in force at filing
    and by the application's term: paths.due), and the bodies it asks for a conclusion, each due
    within the law's answer term."""
    rules = rules_for(reg, timezone.localtime(filed_at).date())
    due, rule = paths.due_of(reg, step, started, registered_at, calendar, rules, item_due, term_due)
    asked = ()
    if step.requests_conclusion_from:
        term = rules["conclusions-answer"].term if "conclusions-answer" in rules else None
        answer_due = calendar.due(started, term) if term else (due or started)
        asked = tuple((body, answer_due) for body in step.requests_conclusion_from)
    return store.NextStep(flow_code, step.id, step.actor, started, due, rule, asked, refusal)


def _started_data(nxt: store.NextStep) -> dict:
    """What the audit entry of the change that starts a step says about it."""
    data = {"step": nxt.step_id, "role": nxt.role, "due_at": nxt.due, "rule": nxt.rule}
    if nxt.asked:
        data["conclusions_requested"] = [body for body, _due in nxt.asked]
    return data


def may_act(user, run: StepRun) -> bool:
    """Staff of the application's provider holding the step's role, its assignee, or the head
    (the rule is `access`'s, which every face asks too)."""
    return access.may_act_on_step(user, run)


def _permitted(user, holds_role: bool, assignee_id) -> bool:
    """The rule `may_act` and `complete_step` share, once the person's roles are known."""
    return access.may_act_given(user, holds_role, assignee_id)


def allowed_outcomes(reg, run: StepRun) -> list[str]:
    return outcomes_of(reg.step(run.flow, run.step_id))


def outcomes_of(step: Step) -> list[str]:
    """The outcomes a step's completion may have: its branches, or just "done"."""
    return [b.when for b in step.branches] if step.branches else ["done"]


def is_collegial(reg, run: StepRun) -> bool:
    """Whether the step's decision is taken at a meeting of a commission or council, so that
    completing it needs the meeting's protocol."""
    return reg.step(run.flow, run.step_id).collegial


def complete_step(
    run_id: int,
    user,
    outcome: str | None = None,
    *,
    note: str = "",
    grounds: list[str] | tuple = (),
    at: dt.datetime | None = None,
    protocol: dict | None = None,
) -> StepRun | None:
    """Complete a step (see `advance`); returns the next step run, or None when the application
    has ended."""
    begun = advance(run_id, user, outcome, note=note, grounds=grounds, at=at, protocol=protocol)
    return None if begun is None else begun.run


def advance(
    run_id: int,
    user,
    outcome: str | None = None,
    *,
    note: str = "",
    grounds: list[str] | tuple = (),
    at: dt.datetime | None = None,
    protocol: dict | None = None,
) -> Begun | None:
    """Complete a step with one of the outcomes the regulation allows; start what follows.

    A step the regulation marks `collegial` (a commission or council decides at a meeting) is
    completed only with the meeting's `protocol`: {"number", "meeting_at", "members": [names],
    "chair" (the first member if left out), "secretary", "reasoning"}; it is stored as a
    `Protocol` in the same transaction and its decision is the outcome. Other steps take none.

    Returns the next step run with the conclusion requests it opened (`Begun`), or None when the
    application has ended. The statements are hand-written (`store`): this is the engine's most
    frequent change.
    """
    now = at or clock.now()
    connection = connections[StepRun.objects.db]
    with _one_change(connection):
        begun, event = _complete(connection, run_id, user, outcome, note, grounds, now, protocol)
    publish([event], connection.alias)
    return begun


def _one_change(connection, several: bool = False):
    """The transaction a change opens around its read and writes: on PostgreSQL none, as `store`
    writes the change as one statement that re-checks what the read found, unless the change
    has `several` statements; on SQLite one, as its writes are separate."""
    return nullcontext() if store.one_statement(connection) and not several else transaction.atomic()


def _complete(connection, run_id, user, outcome, note, grounds, now, protocol):
    user_id = getattr(user, "pk", None)
    run = store.read_run(connection, run_id, user_id)
    if run is None:
        raise StepRun.DoesNotExist(f"step run {run_id}")
    if not _permitted(user, run.holds_role, run.assignee_id):
        raise NotPermitted(_("You do not hold the role %(role)s at this provider.") % {"role": run.role})
    if run.completed_at is not None or run.status != Status.IN_PROGRESS:
        raise _unchanged(run_id)
    reg = parsed_document(run.regulation_id, run.regulation_digest)
    step = reg.step(run.flow, run.step_id)
    allowed = outcomes_of(step)
    outcome = outcome or ("done" if not step.branches else None)
    if outcome not in allowed:
        raise InvalidTransition(
            _("Step %(step)s allows %(allowed)s, not %(outcome)s")
            % {"step": step.id, "allowed": ", ".join(allowed), "outcome": outcome}
        )
    if outcome in paths.REFUSING:
        _check_grounds(reg, grounds, note)
    if step.requests_conclusion_from and run.conclusions_pending:
        raise InvalidTransition(_("Conclusions of other bodies are still awaited."))
    minutes = _checked_protocol(step, protocol, run.started_at, now)
    kept = None if run.due_at is None else now <= run.due_at
    calendar = calendar_for_hours(*run.hours)
    took = calendar.working_minutes_between(run.started_at, now)
    change = {"step": step.id, "outcome": outcome, "note": note, "grounds": list(grounds)}
    if minutes is not None:
        change["protocol"] = minutes
    subject = ("application", run.application_id)
    if step.end:
        closing = _closing(reg, step, run.variant, grounds, note)
        change["closed"] = {
            "status": closing["status"],
            "result": closing["result"],
            "kept_term": None if run.term_due_at is None else now <= run.term_due_at,
        }
        refusal = reg.refusal_act(run.flow, step.id)
        if refusal is not None:
            # Which of the three refusals this is, in the audit record and for the register.
            change["closed"]["refusal"] = refusal
        entry = new_entry(user, AuditAction.STEP_COMPLETED, subject, change, at=now)
        event = outbox.new_event(
            events.CLOSED,
            now,
            status=closing["status"],
            result=closing["result"],
            step=step.id,
            **({"refusal": refusal} if refusal else {}),
        )
        # A protocol is a second statement: then the change needs a transaction of its own (a
        # savepoint when the caller has one open, so that a refusal undoes this change alone).
        with _one_change(connection, several=minutes is not None):
            if not _written(
                connection,
                lambda: store.close(
                    connection, run, now, user_id, outcome, note, kept, took, closing, entry, event
                ),
            ):
                raise _unchanged(run_id)
            if minutes is not None:
                _file_protocol(run.application_id, run_id, outcome, minutes, now)
        return None, event
    flow = reg.procedure(run.flow) or reg.channel(run.flow)
    # A step the regulation ties to other channels or applicant kinds is passed over (paths).
    next_step = paths.passed_over(
        flow, flow.step(step.after(outcome)), run.variant, run.channel, applicant_kind(run.applicant)
    )
    refusal = (list(grounds), note) if outcome in paths.REFUSING and grounds else None
    nxt = _next_step(
        reg,
        run.flow,
        next_step,
        now,
        run.filed_at,
        run.registered_at,
        calendar,
        refusal,
        item_due=paths.item_due_after(step, run.due_at, next_step),
        term_due=run.term_due_at,
    )
    change["started"] = _started_data(nxt)
    entry = new_entry(user, AuditAction.STEP_COMPLETED, subject, change, at=now)
    event = outbox.new_event(events.STEP_COMPLETED, now, step=step.id, outcome=outcome, next=nxt.step_id)
    with _one_change(connection, several=minutes is not None):
        begun = _written(
            connection,
            lambda: store.advance(
                connection, run, now, user_id, outcome, note, kept, took, nxt, entry, event
            ),
        )
        if not begun:
            raise _unchanged(run_id)
        if minutes is not None:
            _file_protocol(run.application_id, run_id, outcome, minutes, now)
    return _begun(run.application_id, nxt, begun), event


def _written(connection, write):
    """Run `write`, a `store` statement that carries its audit entry, and return what it returns;
    once more after giving an empty audit log its head rows, without which such a statement
    writes nothing (PostgreSQL; elsewhere the heads exist, or the write lost a race)."""
    result = write()
    if not result and ensure_heads():
        result = write()
    return result


def _unchanged(run_id: int) -> EngineError:
    """Why a step cannot be completed, or why its completion changed nothing, as the database
    has it now: someone else completed it (first), or the application is paused or closed."""
    run = StepRun.objects.select_related("application", "completed_by").get(pk=run_id)
    if run.completed_at is not None:
        return StepAlreadyCompleted(_already_done(run))
    if run.application.status == Status.PAUSED:
        return InvalidTransition(_("The application is paused; resume it first."))
    return InvalidTransition(_("The application is closed."))


def _already_done(run: StepRun) -> str:
    who = run.completed_by.get_username() if run.completed_by_id else _("someone else")
    return _("Step %(step)s was already completed by %(who)s at %(at)s; nothing was changed.") % {
        "step": run.step_id,
        "who": who,
        "at": timezone.localtime(run.completed_at).strftime("%d.%m.%Y %H:%M") if run.completed_at else "?",
    }


PROTOCOL_FIELDS = ("number", "meeting_at", "chair", "members", "secretary", "reasoning")
NUMBER_LENGTH = Protocol._meta.get_field("number").max_length
NAME_LENGTH = Protocol._meta.get_field("chair").max_length


def _checked_protocol(
    step: Step, protocol: dict | None, started: dt.datetime, now: dt.datetime
) -> dict | None:
    """The protocol of a collegial step's meeting, checked and tidied (None for any other step).

    The meeting is held while the step runs: not before it started, not after the decision is
    recorded. The chair is among the members present (put first when not listed)."""
    if not step.collegial:
        if protocol:
            raise InvalidTransition(
                _(
                    "Step %(step)s is not decided at a meeting of a commission or council: it takes no protocol."
                )
                % {"step": step.id}
            )
        return None
    if not protocol:
        raise InvalidTransition(
            _(
                "Step %(step)s is a decision of a commission or council: it needs its meeting's "
                "protocol (number, date and time, members present)."
            )
            % {"step": step.id}
        )
    unknown = sorted(set(protocol) - set(PROTOCOL_FIELDS))
    if unknown:
        raise InvalidTransition(
            _("A protocol has no field %(fields)s; it has %(known)s.")
            % {"fields": ", ".join(unknown), "known": ", ".join(PROTOCOL_FIELDS)}
        )
    number = _text(protocol.get("number"))
    if not number:
        raise InvalidTransition(_("The protocol needs its number."))
    if len(number) > NUMBER_LENGTH:
        raise InvalidTransition(
            _("A protocol number has at most %(count)s characters.") % {"count": NUMBER_LENGTH}
        )
    meeting_at = _moment(protocol.get("meeting_at"))
    if meeting_at is None:
        raise InvalidTransition(_("The protocol needs the date and time of the meeting."))
    if meeting_at > now:
        raise InvalidTransition(
            _("The meeting (%(meeting)s) cannot be after the decision is recorded (%(at)s).")
            % {"meeting": _shown(meeting_at), "at": _shown(now)}
        )
    if meeting_at < started:
        raise InvalidTransition(
            _("The meeting (%(meeting)s) cannot be before step %(step)s started (%(started)s).")
            % {"meeting": _shown(meeting_at), "step": step.id, "started": _shown(started)}
        )
    given = protocol.get("members") or []
    if isinstance(given, str):
        given = given.splitlines()
    chair = _text(protocol.get("chair"))
    members = []
    for name in [chair, *(_text(m) for m in given)]:
        if name and name not in members:
            members.append(name)
    if not members:
        raise InvalidTransition(_("The protocol needs the names of the members present, at least one."))
    secretary = _text(protocol.get("secretary"))
    if any(len(name) > NAME_LENGTH for name in [*members, secretary]):
        raise InvalidTransition(
            _("A name in the protocol has at most %(count)s characters.") % {"count": NAME_LENGTH}
        )
    return {
        "number": number,
        "meeting_at": meeting_at,
        "chair": chair or members[0],
        "members": members,
        "secretary": secretary,
        "reasoning": _text(protocol.get("reasoning")),
    }


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _moment(value) -> dt.datetime | None:
    """An aware moment from a datetime or ISO 8601 text; a moment without an offset is local time."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value.strip())
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _shown(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def _file_protocol(application_id: int, run_id: int, outcome: str, minutes: dict, now) -> None:
    """Store a collegial step's protocol, with its event, in the transaction that completes the
    step (the register issues it as a signed document once that commits)."""
    protocol = Protocol.objects.create(
        application_id=application_id, step_run_id=run_id, decision=outcome, recorded_at=now, **minutes
    )
    event = outbox.new_event(events.PROTOCOL_RECORDED, now, number=protocol.number)
    outbox.record(event, application_id)
    publish([event])


def _check_grounds(reg, grounds, note):
    known = {g.code for g in reg.refusal_grounds}
    if known:
        if not grounds:
            raise InvalidTransition(_("A refusal needs at least one ground from the regulation."))
        unknown = [g for g in grounds if g not in known]
        if unknown:
            raise InvalidTransition(_("Unknown grounds: %(grounds)s") % {"grounds": ", ".join(unknown)})
    if not note.strip():
        raise InvalidTransition(_("A refusal needs a written explanation."))


def _closing(reg, step: Step, variant: str, grounds=(), note="") -> dict:
    """What the application's row says once `step` (an end of the procedure) is completed."""
    refused = step.end == "refusal"
    fields = {
        "status": (Status.REFUSED if refused else Status.ISSUED).value,  # plain text for the SQL
        "result": paths.result_for(reg, step, variant),
    }
    if refused and grounds:
        fields.update(refusal_grounds=list(grounds), refusal_text=note)
    return fields


def assign(run_id: int, assignee, by, at: dt.datetime | None = None) -> StepRun:
    with transaction.atomic():
        run = StepRun.objects.select_for_update().select_related("application__provider").get(pk=run_id)
        if run.completed_at is not None:
            raise StepAlreadyCompleted(_already_done(run))
        if not may_act(by, run):
            raise NotPermitted(_("You do not hold the role %(role)s at this provider.") % {"role": run.role})
        if run.role not in roles_of(assignee, run.application.provider) and not assignee.is_superuser:
            raise InvalidTransition(
                _("%(user)s does not hold the role %(role)s here.") % {"user": assignee, "role": run.role}
            )
        run.assignee = assignee
        run.save(update_fields=["assignee"])
        record(
            by,
            AuditAction.STEP_ASSIGNED,
            run.application,
            {"step": run.step_id, "assignee": assignee.get_username()},
            at=at,
        )
    return run


def answer_conclusion(
    request_id: int, answer: str, by, note: str = "", at: dt.datetime | None = None
) -> None:
    """Record a body's answer to a conclusion request (a person answering must be on the staff of
    the application's provider; bodies answering through the gateway are system actors)."""
    now = at or clock.now()
    if answer not in (ConclusionRequest.Answer.POSITIVE, ConclusionRequest.Answer.NEGATIVE):
        raise InvalidTransition(_("A conclusion is positive or negative."))
    connection = connections[ConclusionRequest.objects.db]
    # As a step's completion: the read, then the answer, its audit entry and event as one change.
    with _one_change(connection):
        found = store.read_conclusion(connection, request_id, getattr(by, "pk", None))
        if found is None:
            raise ConclusionRequest.DoesNotExist(f"conclusion request {request_id}")
        application_id, body, on_staff = found
        if hasattr(by, "pk") and not getattr(by, "is_superuser", False) and not on_staff:
            raise NotPermitted(_("You are not on the staff of this provider."))
        entry = new_entry(
            by,
            AuditAction.CONCLUSION_ANSWERED,
            ("application", application_id),
            {"body": body, "answer": answer, "note": note},
            at=now,
        )
        event = outbox.new_event(events.CONCLUSION_ANSWERED, now, body=body, answer=answer)
        if not _written(
            connection,
            lambda: store.answer_conclusion(
                connection, request_id, application_id, answer, now, note, entry, event
            ),
        ):
            raise StepAlreadyCompleted(_("This conclusion was already recorded."))
    publish([event], connection.alias)


# The legal clock ------------------------------------------------------------------------------


def _check_staff(by, app: Application) -> None:
    """People stop and restart the clock only as `access` allows (the head, or whoever handles a
    current step); system actors (the scheduler, the gateway) are strings."""
    if hasattr(by, "pk") and not access.may_manage_clock(by, app):
        raise NotPermitted(_("You do not handle a current step of this application."))


def pause_rules(app: Application) -> dict:
    """The stops of the legal clock the law allows for `app` (by code): the only ones a person may
    use; none for most regulations, and then the office offers no pause."""
    return pauses_for(app.regulation.parsed, timezone.localtime(app.filed_at).date())


def pause(app_id: int, reason: str, by, note: str = "", at: dt.datetime | None = None) -> Pause:
    """Stop the legal clock on a legal ground: a pause rule of the law that applies to the
    application (`pause_rules`), or, for a system actor, a state database unreachable. The
    applicant is told what the rule asks (the event carries it to the notices)."""
    now = at or clock.now()
    app = Application.objects.select_related("provider", "regulation").get(pk=app_id)
    _check_staff(by, app)
    rules = pause_rules(app)
    system = not hasattr(by, "pk") and reason == Pause.Reason.STATE_DATABASE_UNAVAILABLE
    if reason not in rules and not system:
        raise InvalidTransition(
            _("The law gives no ground to stop the clock of this application for %(reason)s.")
            % {"reason": reason}
        )
    rule = rules.get(reason)
    asked = ""
    if rule is not None:
        asked = in_language(rule.asks, (app.data or {}).get("language"))
        if note.strip():
            asked = f"{asked}\n{note.strip()}"
    with transaction.atomic():
        if Application.objects.filter(pk=app_id, status=Status.IN_PROGRESS).update(status=Status.PAUSED) != 1:
            raise InvalidTransition(_("Only an application in progress can be paused."))
        p = Pause.objects.create(
            application=app,
            reason=reason,
            law=rule.source if rule else "",
            note=note,
            asked=asked,
            started_at=now,
            started_by=str(by),
        )
        record(
            by,
            AuditAction.CLOCK_PAUSED,
            app,
            {"reason": reason, "note": note, "law": p.law, "asked": asked},
            at=now,
        )
        event = outbox.new_event(events.PAUSED, now, reason=reason, pause=p.pk, law=p.law)
        outbox.record(event, app.pk)
        publish([event])
    return p


def resume(app_id: int, by, at: dt.datetime | None = None) -> Application:
    """Restart the clock; the due moments move by the time it stood still."""
    now = at or clock.now()
    _check_staff(by, Application.objects.select_related("provider").get(pk=app_id))
    with transaction.atomic():
        return _resume(app_id, by, now)


def _resume(app_id: int, by, now: dt.datetime, answer: dict | None = None) -> Application:
    if Application.objects.filter(pk=app_id, status=Status.PAUSED).update(status=Status.IN_PROGRESS) != 1:
        raise InvalidTransition(_("The application is not paused."))
    app = Application.objects.select_related("provider").get(pk=app_id)
    p = app.pauses.filter(ended_at__isnull=True).latest("started_at")
    p.ended_at, p.ended_by = now, str(by)
    fields = ["ended_at", "ended_by"]
    if answer is not None:
        p.answer, p.answered_at = answer["text"], now
        fields += ["answer", "answered_at"]
        for upload in answer["files"]:
            PauseFile.objects.create(
                pause=p,
                name=upload["name"],
                content_type=upload["content_type"],
                size=upload["size"],
                sha256=upload["sha256"],
                content=upload["content"],
                uploaded_at=now,
            )
    p.save(update_fields=fields)
    calendar = app.provider.calendar()
    if app.due_at:
        app.due_at = shift(app.due_at, p.started_at, now, calendar)
        app.save(update_fields=["due_at"])
    for run in app.steps.filter(completed_at__isnull=True, due_at__isnull=False):
        run.due_at = shift(run.due_at, p.started_at, now, calendar)
        run.save(update_fields=["due_at"])
    data = {"paused_from": p.started_at, "due_at": app.due_at}
    if answer is not None:
        data["answer"] = {
            "text": answer["text"],
            "files": [[f["name"], f["sha256"]] for f in answer["files"]],
        }
    record(by, AuditAction.CLOCK_RESUMED, app, data, at=now)
    event = outbox.new_event(events.RESUMED, now, pause=p.pk, answered=answer is not None)
    outbox.record(event, app.pk)
    publish([event])
    return app


def answer_pause(app_id: int, by, text: str, files=(), at: dt.datetime | None = None) -> Application:
    """The applicant answers what a pause asked, with a text and uploaded documents (each checked
    by `qyzmet.intake.uploads.check`); the answer restarts the clock and moves the due moments.
    Only the applicant of the application may answer, and only a pause whose rule asks them."""
    now = at or clock.now()
    app = Application.objects.select_related("provider", "regulation").get(pk=app_id)
    if not access.may_answer_pause(by, app):
        raise NotPermitted(_("Only the applicant answers what was asked of them."))
    if not text.strip() and not files:
        raise InvalidTransition(_("An answer needs a text or at least one document."))
    with transaction.atomic():
        open_pause = app.pauses.select_for_update().filter(ended_at__isnull=True).first()
        if open_pause is None or not open_pause.asked:
            raise InvalidTransition(_("Nothing is asked of the applicant now."))
        return _resume(app_id, by, now, {"text": text.strip(), "files": list(files)})


def shift(due: dt.datetime, paused: dt.datetime, resumed: dt.datetime, calendar) -> dt.datetime:
    """Move a due moment by the stopped time: whole working days when the pause spans days
    (counted like a term, from the day after it began), else its working minutes."""
    day, end_day = timezone.localtime(paused).date(), timezone.localtime(resumed).date()
    days = 0
    while day < end_day:
        day = calendar.next_working_day(day)
        if day <= end_day:
            days += 1
    if days:
        return calendar.add_working_days(due, days)
    minutes = calendar.working_minutes_between(paused, resumed)
    return calendar.add_working_minutes(due, minutes) if minutes else due


# The periodic job -----------------------------------------------------------------------------


def tick(now: dt.datetime | None = None) -> dict[str, int]:
    """Mark overdue steps and applications, escalate them to the head, apply silence-consent and
    deemed issue. Idempotent: run it as often as you like (Celery beat, or `python -m qyzmet tick`)."""
    now = now or clock.now()
    counts = {"steps_overdue": 0, "applications_overdue": 0, "silence_consent": 0, "deemed_issued": 0}
    late_runs = StepRun.objects.filter(
        completed_at__isnull=True,
        due_at__lt=now,
        overdue_since__isnull=True,
        application__status=Status.IN_PROGRESS,
    ).select_related("application")
    for run in late_runs:
        with transaction.atomic():
            if StepRun.objects.filter(pk=run.pk, overdue_since__isnull=True).update(
                overdue_since=run.due_at, escalated_at=now
            ):
                record(
                    "scheduler",
                    AuditAction.STEP_OVERDUE,
                    run.application,
                    {"step": run.step_id, "due_at": run.due_at, "escalated_to": "head"},
                    at=now,
                )
                counts["steps_overdue"] += 1
    for req in ConclusionRequest.objects.filter(
        answer=ConclusionRequest.Answer.PENDING, due_at__lt=now
    ).select_related("application"):
        with transaction.atomic():
            if ConclusionRequest.objects.filter(pk=req.pk, answer=ConclusionRequest.Answer.PENDING).update(
                answer=ConclusionRequest.Answer.DEEMED_POSITIVE, answered_at=req.due_at
            ):
                rule = rules_for(
                    req.application.regulation.parsed, timezone.localtime(req.application.filed_at).date()
                ).get("conclusions-answer")
                record(
                    "scheduler",
                    AuditAction.CONCLUSION_DEEMED_POSITIVE,
                    req.application,
                    {"body": req.body, "law": rule.source if rule else ""},
                    at=now,
                )
                counts["silence_consent"] += 1
    for app in Application.objects.filter(status=Status.IN_PROGRESS, due_at__lt=now).select_related(
        "regulation"
    ):
        reg = app.regulation.parsed
        rules = rules_for(reg, timezone.localtime(app.filed_at).date())
        with transaction.atomic():
            if "deemed-issued" in rules:
                result = paths.issued_result(reg, app.variant)
                if Application.objects.filter(pk=app.pk, status=Status.IN_PROGRESS).update(
                    status=Status.DEEMED_ISSUED, closed_at=app.due_at, result=result, overdue_since=app.due_at
                ):
                    app.steps.filter(completed_at__isnull=True).update(
                        completed_at=now, outcome="superseded", kept=False
                    )
                    record(
                        "scheduler",
                        AuditAction.APPLICATION_DEEMED_ISSUED,
                        app,
                        {"result": result, "law": rules["deemed-issued"].source},
                        at=now,
                    )
                    event = outbox.new_event(
                        events.CLOSED, now, status=Status.DEEMED_ISSUED.value, result=result, step=""
                    )
                    outbox.record(event, app.pk)
                    publish([event])
                    counts["deemed_issued"] += 1
            elif app.overdue_since is None:
                Application.objects.filter(pk=app.pk).update(overdue_since=app.due_at)
                record("scheduler", AuditAction.APPLICATION_OVERDUE, app, {"due_at": app.due_at}, at=now)
                counts["applications_overdue"] += 1
    return counts
