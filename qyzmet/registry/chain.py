"""Appending to the register's hash chain and checking it.

Appends are serialised through the single `RegisterHead` row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite serialises writers anyway), so two processes can never fork the chain or
give two entries the same number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import GENESIS, RegisterEntry, RegisterEvent, RegisterHead


def locked_head() -> RegisterHead:
    """The head row, locked until the caller's transaction ends (call inside `atomic`)."""
    head = RegisterHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        RegisterHead.objects.get_or_create(pk=1)
        head = RegisterHead.objects.select_for_update().get(pk=1)
    return head


def next_event(
    head: RegisterHead,
    entry_number: str,
    action: str,
    status: str,
    at: dt.datetime,
    actor: str,
    note="",
    data=None,
) -> RegisterEvent:
    """An unsaved event after `head`, its hash computed; the caller saves it and moves the head."""
    event = RegisterEvent(
        seq=head.seq + 1,
        action=action,
        status=status,
        at=at,
        actor=actor,
        note=note,
        data=data or {},
        prev_hash=head.hash,
    )
    event.hash = event.compute_hash(entry_number)
    return event


def advance(head: RegisterHead, event: RegisterEvent) -> None:
    head.seq, head.hash, head.at = event.seq, event.hash, event.at
    head.save(update_fields=["seq", "hash", "at"])


def _problem(event: RegisterEvent, entry: RegisterEntry | None, prev: str, expected_seq: int) -> str:
    """What is wrong with one link ("" if nothing)."""
    if event.seq != expected_seq:
        return f"event #{expected_seq} is missing"
    if event.prev_hash != prev:
        return "the link to the previous event does not match"
    if entry is None or event.compute_hash(entry.number) != event.hash:
        return "the event was altered after it was recorded"
    if event.action == RegisterEvent.Action.ENTERED:
        if event.data != entry.snapshot():
            return "the entry differs from what was entered"
        if entry.hash != event.hash or entry.prev_hash != event.prev_hash:
            return "the entry's seal does not match its entered event"
    return ""


@dataclass(frozen=True)
class ChainCheck:
    """What `verify` found: events checked, the head, and the first broken link (None if intact)."""

    count: int
    head: str
    broken_seq: int | None = None
    broken_entry: str | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def verify() -> ChainCheck:
    """Re-read every event and entry from the database and re-check every link.

    The first broken link is named by its sequence number and register number: an event whose
    hash or link to the previous one does not match, an entry whose fields differ from what its
    `entered` event recorded, or a head that remembers more events than the table holds.
    """
    prev, count = GENESIS, 0
    entries = {e.pk: e for e in RegisterEntry.objects.select_related("application", "provider", "original")}
    for event in RegisterEvent.objects.order_by("seq").iterator(chunk_size=2000):
        entry = entries.get(event.entry_id)
        problem = _problem(event, entry, prev, count + 1)
        if problem:
            return ChainCheck(count, prev, event.seq, entry.number if entry else None, problem)
        prev = event.hash
        count += 1
    head = RegisterHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != count or head.hash != prev):
        # The newest events were removed: the head remembers more than the table holds.
        return ChainCheck(count, prev, count + 1, None, "events after the last intact one are missing")
    sealed = set(
        RegisterEvent.objects.filter(action=RegisterEvent.Action.ENTERED).values_list("entry_id", flat=True)
    )
    unsealed = [e for e in entries.values() if e.pk not in sealed]
    if unsealed:
        first = min(unsealed, key=lambda e: e.pk)
        # an entry inserted behind the chain's back: no event seals it (seq 0: not a chain position)
        return ChainCheck(count, prev, 0, first.number, "the entry was never entered through the chain")
    return ChainCheck(count, prev)
