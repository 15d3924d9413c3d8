"""Entering results in the register and changing their status: the only code that writes to it.

`enter_result` is called once an application has ended in a result (status issued, or deemed
issued when the provider let the term pass), by the register's subscriber to the engine's closing
event (subscribers.py). It is idempotent: an application has at most one entry, and calling again
returns it. It runs for every issued application, so on PostgreSQL it is two hand-written
statements (store.py) instead of the ORM's eight or so round trips; SQLite keeps the ORM.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet import access, clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import append, new_entry, record
from qyzmet.engine.models import Application, Status
from qyzmet.i18n import in_language
from qyzmet.outbox import events as outbox
from qyzmet.outbox.subscribers import publish
from qyzmet.regulations.citations import citation

from . import chain, events, grounds, store, tasks
from .models import NUMBER_PREFIX, EntryStatus, Kind, RegisterEntry, RegisterEvent

ISSUING_STATUSES = (Status.ISSUED, Status.DEEMED_ISSUED)
# Results that stand for an earlier one: they are linked to the holder's latest valid entry.
DERIVED_KINDS = (Kind.REISSUED_LICENCE, Kind.DUPLICATE)
DERIVED_VARIANTS = ("reissue", "duplicate")


class RegistryError(Exception):
    """Something the register cannot do; the message says why."""


def _result_of(application: Application):
    reg = application.regulation.parsed
    result = next((r for r in reg.results if r.code == application.result), None)
    if result is None:
        raise RegistryError(
            _("Application %(number)s has no result the regulation names (%(result)s).")
            % {"number": application.number, "result": application.result or "—"}
        )
    if result.kind == "refusal":
        raise RegistryError(
            _("Application %(number)s ended in a refusal; refusals are not entered in the register.")
            % {"number": application.number}
        )
    return reg, result


def _number_prefix(kind: str, year: int) -> str:
    return f"{NUMBER_PREFIX[kind]}-{year}-"


def _number_after(prefix: str, last: str | None) -> str:
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def _next_number(kind: str, year: int) -> str:
    """The next number of its kind and year. Call with the chain head locked."""
    prefix = _number_prefix(kind, year)
    # Numbers are PREFIX-YYYY-NNNNN: the range [prefix, prefix~) holds exactly this kind's numbers
    # of the year, and is read backwards from its end on the unique index (a LIKE would scan them).
    last = (
        RegisterEntry.objects.filter(number__gte=prefix, number__lt=prefix + "~")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return _number_after(prefix, last)


def _derivation(application: Application, kind: str) -> str | None:
    """ "reissue" or "duplicate" when the result stands for an earlier one, else None."""
    if kind == Kind.DUPLICATE or application.variant == "duplicate":
        return "duplicate"
    if kind == Kind.REISSUED_LICENCE or application.variant == "reissue":
        return "reissue"
    return None


def _original_for(application: Application, kind: str) -> RegisterEntry | None:
    if _derivation(application, kind) is None:
        return None
    return (
        RegisterEntry.objects.with_current_status()
        .filter(service=application.service, holder=application.applicant, current_status=EntryStatus.VALID)
        .order_by("-issued_on", "-id")
        .first()
    )


def enter_result(
    application: Application, at: dt.datetime | None = None, *, fresh: bool = False
) -> RegisterEntry:
    """Enter the result of a closed application; return the existing entry if already entered.

    The application is read again here (unless `fresh`: the caller has just read it), as the
    caller may hold a stale copy or only its id.
    Whether it was entered already is asked under the register head's lock, which every entry
    takes, so two calls can never both enter it.
    """
    if not fresh:  # `fresh`: the caller closed this very instance in this transaction
        application = (
            Application.objects.select_related("regulation", "provider")
            .defer("regulation__document")  # Regulation.parsed caches the parsed document by digest
            .get(pk=application.pk)
        )
    now = at or clock.now()
    if application.status not in ISSUING_STATUSES:
        raise RegistryError(
            _("Application %(number)s has not ended in a result (status: %(status)s).")
            % {"number": application.number, "status": application.get_status_display()}
        )
    reg, result = _result_of(application)
    issued_on = timezone.localtime(application.closed_at or now).date()
    connection = connections[RegisterEntry.objects.db]
    # No savepoint: inside the closing transaction a failure here must undo the close too.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            entry, new = _enter_on_postgresql(connection, application, reg, result, issued_on, now)
            if new:
                _replace_original(entry, application, now)
            issue_documents(entry)
            return entry
        head = chain.locked_head()
        existing = RegisterEntry.objects.filter(application=application).first()
        if existing is not None:
            return existing
        entry = _unsaved_entry(
            application, reg, result, issued_on, _next_number(result.kind, issued_on.year), now
        )
        event = _entered_event(head, entry, now)
        entry.save()
        event.entry = entry
        event.save()
        chain.advance(head, event)
        record("system", AuditAction.REGISTER_ENTRY_CREATED, application, _audit_data(entry, event), at=now)
        _replace_original(entry, application, now)
        issue_documents(entry)
    return entry


def issue_documents(entry: RegisterEntry) -> None:
    """The signed result of a new entry is made once the entry is committed (registry.tasks)."""
    tasks.issue_documents_later(entry)


def _enter_on_postgresql(connection, application, reg, result, issued_on, now) -> RegisterEntry:
    """The same steps in two statements: lock the head and read, then write everything."""
    prefix = _number_prefix(result.kind, issued_on.year)
    found = store.lock_and_read(connection, application.pk, prefix)
    if found.existing_id is not None:
        return RegisterEntry.objects.get(pk=found.existing_id), False
    entry = _unsaved_entry(application, reg, result, issued_on, _number_after(prefix, found.last_number), now)
    event = _entered_event(found.head, entry, now)
    audit = new_entry(
        "system", AuditAction.REGISTER_ENTRY_CREATED, application, _audit_data(entry, event), at=now
    )
    if not store.enter(connection, entry, event, audit):
        append(audit)  # the audit log was empty: it gets its head and this first entry now
    return entry, True


def _replace_original(entry: RegisterEntry, application: Application, now) -> None:
    """A re-issued licence ends the one it replaces from its own issue (Law 202-V Art. 33); a
    duplicate voids the lost or damaged forms from the day its application was received
    (Art. 43 p.3). Both are events of the original, naming the new entry."""
    if entry.original_id is None:
        return
    if _derivation(application, entry.kind) == "duplicate":
        action, ground = RegisterEvent.Action.VOIDED, "duplicate-issued"
        effective = timezone.localtime(application.registered_at or application.filed_at).date()
    else:
        action, ground = RegisterEvent.Action.TERMINATED, "reissued"
        effective = entry.issued_on
    change_status(
        entry.original, action, "system", ground=ground, effective=effective, replaced_by=entry, at=now
    )


def _unsaved_entry(application, reg, result, issued_on: dt.date, number: str, now) -> RegisterEntry:
    """The unsaved entry of an application's result (call with the head locked: `original`)."""
    return RegisterEntry(
        number=number,
        kind=result.kind,
        name=result.name.model_dump(),
        result_code=result.code,
        application=application,
        regulation_id=reg.id,
        service=application.service,
        holder=application.applicant,
        holder_name=application.applicant_name,
        activity=reg.title.model_dump(),
        subtypes=list(application.data.get("subtypes") or []),
        provider=application.provider,
        issued_on=issued_on,
        valid_until=valid_until(result, issued_on),
        status=EntryStatus.VALID,
        original=_original_for(application, result.kind),
        entered_at=now,
    )


def valid_until(result, issued_on: dt.date) -> dt.date | None:
    """The last day of a result's term of validity; None when indefinite or no term is given.

    A term of N years from the issue ends the day before the same date N years on (Civil Code
    Art. 173: a period starts the day after the event)."""
    validity = getattr(result, "validity", None)
    if validity is None or validity.indefinite:
        return None
    step = {"years": relativedelta(years=validity.value), "months": relativedelta(months=validity.value)}
    end = issued_on + step.get(validity.unit, relativedelta(days=validity.value))
    return end - dt.timedelta(days=1)


def _entered_event(head, entry: RegisterEntry, now) -> RegisterEvent:
    """The entry's `entered` event after `head`; the entry takes its hash as its seal."""
    event = chain.next_event(
        head, entry.number, RegisterEvent.Action.ENTERED, entry.status, now, "system", data=entry.snapshot()
    )
    entry.prev_hash, entry.hash = event.prev_hash, event.hash
    return event


def _audit_data(entry: RegisterEntry, event: RegisterEvent) -> dict:
    return {"number": entry.number, "kind": entry.kind, "original": event.data["original"]}


# Which status each action leads to, and from which statuses it may be taken.
TRANSITIONS = {
    RegisterEvent.Action.SUSPENDED: (EntryStatus.SUSPENDED, (EntryStatus.VALID,)),
    RegisterEvent.Action.RESUMED: (EntryStatus.VALID, (EntryStatus.SUSPENDED,)),
    RegisterEvent.Action.WITHDRAWN: (EntryStatus.TERMINATED, (EntryStatus.VALID, EntryStatus.SUSPENDED)),
    RegisterEvent.Action.TERMINATED: (EntryStatus.TERMINATED, (EntryStatus.VALID, EntryStatus.SUSPENDED)),
    RegisterEvent.Action.VOIDED: (EntryStatus.VOID, (EntryStatus.VALID, EntryStatus.SUSPENDED)),
}
# The actions the licensor's staff take in the office (voiding follows a duplicate by itself).
STAFF_ACTIONS = (
    RegisterEvent.Action.SUSPENDED,
    RegisterEvent.Action.RESUMED,
    RegisterEvent.Action.WITHDRAWN,
    RegisterEvent.Action.TERMINATED,
)


def current_status(entry: RegisterEntry) -> str:
    return entry.events.order_by("-seq").values_list("status", flat=True).first() or entry.status


def change_status(
    entry: RegisterEntry,
    action: str,
    actor,
    note: str = "",
    at: dt.datetime | None = None,
    *,
    ground: str,
    until: dt.date | None = None,
    effective: dt.date | None = None,
    replaced_by: RegisterEntry | None = None,
) -> RegisterEvent:
    """Suspend, resume, withdraw, terminate or void an entry: a new event in the chain, the
    entry untouched, with its ground and the article of the law in force that day.

    A person changes it only as `access` allows (the staff of its provider) and only on the
    grounds offered to staff; system actors (the register itself, the expiry job, the command
    line) are strings. A suspension needs the day it ends (`until`). The event is audited and
    published (`events.STATUS_CHANGED`), so the holder is told once it is committed."""
    person = hasattr(actor, "pk")
    if person:
        access.access_register_entry_to_change(actor, entry.number)
    if action not in TRANSITIONS:
        raise RegistryError(_("Unknown register action %(action)s.") % {"action": action})
    found = grounds.get(ground)
    if found is None or found.action != action or (person and not found.staff):
        raise RegistryError(
            _("%(ground)s is not a ground to record: %(action)s.")
            % {"ground": ground, "action": RegisterEvent.Action(action).label}
        )
    now = at or clock.now()
    effective = effective or timezone.localtime(now).date()
    if action == RegisterEvent.Action.SUSPENDED and (until is None or until <= effective):
        raise RegistryError(_("A suspension needs the day it ends, after the day it starts."))
    new_status, allowed_from = TRANSITIONS[action]
    actor_name = getattr(actor, "username", None) or str(actor or "system")
    data = {
        "ground": found.code,
        "source": found.source(effective),
        "from": effective.isoformat(),
        "until": until.isoformat() if until else None,
        "replaced_by": replaced_by.number if replaced_by else None,
    }
    with transaction.atomic():
        head = chain.locked_head()
        status = current_status(entry)
        if status not in allowed_from:
            raise RegistryError(
                _("Entry %(number)s is %(status)s; it cannot be %(action)s.")
                % {
                    "number": entry.number,
                    "status": EntryStatus(status).label,
                    "action": RegisterEvent.Action(action).label,
                }
            )
        event = chain.next_event(
            head, entry.number, action, new_status, now, actor_name, note=note.strip(), data=data
        )
        event.entry = entry
        event.save()
        chain.advance(head, event)
        tasks.issue_decision_later(event)  # the signed decision, once this is committed
        if entry.application_id:
            record(
                actor,
                AuditAction(f"register_entry_{action}"),
                entry.application,
                {"number": entry.number, "seq": event.seq, "note": note.strip(), **data},
                at=now,
            )
        published = outbox.new_event(
            events.STATUS_CHANGED, now, number=entry.number, seq=event.seq, action=action, ground=found.code
        )
        outbox.record(published, entry.pk)
        publish([published])
    return event


def is_in_force(entry: RegisterEntry, status: str, on: dt.date | None = None) -> bool:
    """Valid, and not past its term of validity (if it has one)."""
    on = on or clock.today()
    return status == EntryStatus.VALID and (entry.valid_until is None or on <= entry.valid_until)


def ancestors(entry: RegisterEntry) -> list[RegisterEntry]:
    """The entries this one stands for, nearest first (a duplicate's licence, that one's original...)."""
    found, seen = [], {entry.pk}
    current = entry.original
    while current is not None and current.pk not in seen:
        found.append(current)
        seen.add(current.pk)
        current = current.original
    return found


def successors(entry: RegisterEntry) -> list[RegisterEntry]:
    """The entries that stand for this one, in order: its duplicate or re-issue, then theirs."""
    found, frontier, seen = [], [entry.pk], {entry.pk}
    while frontier:
        nxt = list(RegisterEntry.objects.filter(original_id__in=frontier).exclude(pk__in=seen).order_by("id"))
        found.extend(nxt)
        seen.update(e.pk for e in nxt)
        frontier = [e.pk for e in nxt]
    return found


def _is_reissue(entry: RegisterEntry) -> bool:
    return entry.kind == Kind.REISSUED_LICENCE or (
        entry.application_id is not None and entry.application.variant == "reissue"
    )


def lineage_dates(entry: RegisterEntry) -> dict:
    """The day the permit was first issued and the day it was last re-issued, as a duplicate
    states them (Law 202-V Art. 43 p.4); None for an entry that stands for no other."""
    if entry.original_id is None:
        return {"first_issued_on": None, "reissued_on": None}
    chain_ = [entry, *ancestors(entry)]
    reissues = [e.issued_on for e in chain_ if _is_reissue(e)]
    return {"first_issued_on": chain_[-1].issued_on, "reissued_on": max(reissues) if reissues else None}


def suspended_until(entry: RegisterEntry) -> dt.date | None:
    """The end of the current suspension (None when the entry is not suspended)."""
    event = entry.events.order_by("-seq").first()
    if event is None or event.action != RegisterEvent.Action.SUSPENDED or not event.data.get("until"):
        return None
    return dt.date.fromisoformat(event.data["until"])


def validity_source(entry: RegisterEntry) -> str:
    """Where the entry's term of validity (or its having none) is said: the regulation's result."""
    if entry.application_id is None:
        return ""
    reg = entry.application.regulation.parsed
    result = next((r for r in reg.results if r.code == entry.result_code), None)
    validity = getattr(result, "validity", None)
    if validity is None:
        return ""
    src = validity.source
    if src.law:
        return in_language(citation(src.law))
    if not src.lines:
        return ""
    return _("%(regulation)s, lines %(first)s–%(last)s") % {
        "regulation": reg.id,
        "first": src.lines[0],
        "last": src.lines[1],
    }


def licensor_staff(entry: RegisterEntry):
    """The people who may change the entry (its provider's staff but the office clerks)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(staff_roles__provider=entry.provider_id).distinct()
    return [u for u in users if access.may_change_register_entry(u, entry)]
