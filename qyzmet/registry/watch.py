"""The register's watch over the state databases, and the terms of permits (run by Celery beat).

`watch()` asks the state databases (through the gateway, each answer kept as a `DataLookup`)
about the holder of every permit still in force: an entity liquidated (Legal entities) or a person
deceased (Individuals) ends the permit (Law 202-V Art. 35 p.1 (4)), but the licensor decides:
the watch only proposes the termination (`Proposal`) and tells the licensor's staff through an
event (`events.TERMINATION_PROPOSED`). It never changes an entry. A proposal dismissed is not
made again for the same entry and ground.

`end_terms()` ends the permits whose term of validity has passed (Art. 35 p.1 (1): the permit
ends by itself on expiry, so the register records it as the system) and reminds the holders of
those ending within `REMIND_DAYS` days (e-gov sends its reminder 30 days before), once each. A
suspension whose end has passed without a resumption is proposed to the licensor for withdrawal
(Art. 45 p.4: the licensor initiates it within 10 working days); again, the licensor decides.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet import clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import record
from qyzmet.gateway import lookups
from qyzmet.gateway.errors import GatewayError
from qyzmet.gateway.models import DataLookup
from qyzmet.identity.numbers import is_entity_number
from qyzmet.outbox import events as outbox
from qyzmet.outbox.models import Event
from qyzmet.outbox.subscribers import publish

from . import events, grounds, services
from .models import EntryStatus, Proposal, RegisterEntry, RegisterEvent

log = logging.getLogger(__name__)

REMIND_DAYS = 30
# Each holder is asked at most once a day (by the lookups' own time, kept as evidence), a batch
# at a time.
WATCH_EVERY = dt.timedelta(days=1)
WATCH_BATCH = 200
IN_FORCE = (EntryStatus.VALID, EntryStatus.SUSPENDED)
WATCH_PURPOSE = "register watch: is the permit holder still in existence (Law 202-V Art. 35 p.1 (4))"


def _in_force():
    return RegisterEntry.objects.with_current_status().filter(current_status__in=IN_FORCE)


def _life_event(holder: str) -> tuple[str, str, int] | None:
    """(ground, day, lookup id) when the state database reports the holder ended, else None."""
    entity = is_entity_number(holder)
    try:
        found = lookups.look_up(
            "legal_entities" if entity else "individuals",
            holder,
            purpose=WATCH_PURPOSE,
            initiated_by="register-watch",
        )
    except GatewayError as exc:  # not found, or unavailable: nothing learnt; asked again next time
        log.info("register watch: %s not checked: %s", holder, exc)
        return None
    answer = found.answer or {}
    if entity and answer.get("status") == "liquidated":
        return "liquidation", answer.get("liquidated_on") or "", found.pk
    if not entity and answer.get("deceased_on"):
        return "death", answer["deceased_on"], found.pk
    return None


def watch(limit: int | None = WATCH_BATCH, every: dt.timedelta = WATCH_EVERY) -> dict[str, int]:
    """Check the holders of the permits in force not checked within `every` (at most `limit` of
    them: the embedded scheduler runs this every minute, Celery beat once a day); propose
    terminations. Returns how many holders were asked and how many terminations proposed."""
    counts = {"holders": 0, "proposed": 0}
    checked = set(
        DataLookup.objects.filter(purpose=WATCH_PURPOSE, created_at__gte=timezone.now() - every).values_list(
            "subject", flat=True
        )
    )
    entries = _in_force().select_related("application").order_by("holder", "id")
    by_holder: dict[str, list[RegisterEntry]] = {}
    for entry in entries:
        if entry.holder not in checked:
            by_holder.setdefault(entry.holder, []).append(entry)
    for holder in list(by_holder)[:limit]:
        counts["holders"] += 1
        found = _life_event(holder)
        if found is None:
            continue
        ground, day, lookup_id = found
        for entry in by_holder[holder]:
            counts["proposed"] += bool(propose(entry, ground, day, lookup_id))
    return counts


def propose(entry: RegisterEntry, ground: str, day: str, lookup_id: int | None) -> Proposal | None:
    """Propose to end `entry` on `ground` (from `day`), once; None when it was proposed before."""
    found_on = dt.date.fromisoformat(day) if day else clock.today()
    if Proposal.objects.filter(entry=entry, ground=ground, found_on=found_on).exists():
        return None
    now = clock.now()
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                entry=entry,
                ground=ground,
                found_on=found_on,
                evidence={"lookup": lookup_id, "day": day},
                lookup_id=lookup_id,
                proposed_at=now,
            )
            if entry.application_id:
                record(
                    "register-watch",
                    AuditAction.REGISTER_TERMINATION_PROPOSED,
                    entry.application,
                    {
                        "number": entry.number,
                        "ground": ground,
                        "day": found_on.isoformat(),
                        "lookup": lookup_id,
                    },
                    at=now,
                )
            event = outbox.new_event(
                events.TERMINATION_PROPOSED, now, number=entry.number, proposal=proposal.pk, ground=ground
            )
            outbox.record(event, entry.pk)
            publish([event])
    except IntegrityError:  # proposed meanwhile by another run
        return None
    return proposal


def accept(proposal: Proposal, user, note: str = "") -> RegisterEvent:
    """The licensor ends the entry on the proposal's ground (terminated on a liquidation or death,
    from the day the state database gave; withdrawn after a suspension that was not lifted)."""
    if proposal.state != Proposal.State.OPEN:
        raise services.RegistryError(_("This proposal was decided already."))
    with transaction.atomic():
        event = services.change_status(
            proposal.entry,
            grounds.get(proposal.ground).action,
            user,
            note=note,
            ground=proposal.ground,
            effective=proposal.found_on,
        )
        proposal.state = Proposal.State.ACCEPTED
        proposal.decided_by, proposal.decided_at, proposal.note = user.get_username(), clock.now(), note
        proposal.save(update_fields=["state", "decided_by", "decided_at", "note"])
    return event


def dismiss(proposal: Proposal, user, note: str) -> None:
    """The licensor keeps the permit (the database was wrong, the entity was reorganised...)."""
    from qyzmet import access

    access.access_register_entry_to_change(user, proposal.entry.number)
    if proposal.state != Proposal.State.OPEN:
        raise services.RegistryError(_("This proposal was decided already."))
    if not note.strip():
        raise services.RegistryError(_("Say why the proposal is dismissed."))
    now = clock.now()
    with transaction.atomic():
        proposal.state = Proposal.State.DISMISSED
        proposal.decided_by, proposal.decided_at, proposal.note = user.get_username(), now, note.strip()
        proposal.save(update_fields=["state", "decided_by", "decided_at", "note"])
        if proposal.entry.application_id:
            record(
                user,
                AuditAction.REGISTER_PROPOSAL_DISMISSED,
                proposal.entry.application,
                {"number": proposal.entry.number, "ground": proposal.ground, "note": note.strip()},
                at=now,
            )


def end_terms(today: dt.date | None = None) -> dict[str, int]:
    """Record the expiry of permits past their term; remind holders of terms ending soon."""
    today = today or clock.today()
    counts = {"expired": 0, "suspension_ended": 0, "reminded": 0}
    for entry in _in_force().filter(valid_until__lt=today).order_by("valid_until", "id"):
        services.change_status(
            entry,
            RegisterEvent.Action.TERMINATED,
            "system",
            ground="expiry",
            effective=entry.valid_until + dt.timedelta(days=1),
        )
        counts["expired"] += 1
    for entry in _in_force().filter(current_status=EntryStatus.SUSPENDED).order_by("id"):
        until = services.suspended_until(entry)
        if until is not None and until < today:
            day = (until + dt.timedelta(days=1)).isoformat()
            counts["suspension_ended"] += bool(propose(entry, "violations-not-removed", day, None))
    soon = today + dt.timedelta(days=REMIND_DAYS)
    ending = _in_force().filter(
        valid_until__gte=today, valid_until__lte=soon, current_status=EntryStatus.VALID
    )
    for entry in ending.order_by("valid_until", "id"):
        reminded = Event.objects.filter(
            kind=events.TERM_ENDING, subject_id=entry.pk, data__valid_until=entry.valid_until.isoformat()
        )
        if reminded.exists():
            continue
        event = outbox.new_event(
            events.TERM_ENDING,
            clock.now(),
            number=entry.number,
            valid_until=entry.valid_until.isoformat(),
            days=(entry.valid_until - today).days,
        )
        with transaction.atomic():
            outbox.record(event, entry.pk)
        publish([event])
        counts["reminded"] += 1
    return counts
