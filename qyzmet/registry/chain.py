"""The register's use of the one hash-chain module (audit.chain): its head, its events, its checks.

Appends are serialised through the single `RegisterHead` row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite serialises writers anyway), so two processes can never fork the chain or
give two entries the same number. Beyond the links that every chain checks, the register checks
that events are numbered without gaps and that each entry row still says what its `entered`
event recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qyzmet.audit import chain as hash_chain

from .models import GENESIS, RegisterEntry, RegisterEvent, RegisterHead


def locked_head() -> RegisterHead:
    """The head row, locked until the caller's transaction ends (call inside `atomic`)."""
    return hash_chain.lock_head(RegisterHead, 1)


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


# What each break of the chain means for the register, as `registry verify` prints it.
PROBLEMS = {
    hash_chain.UNLINKED: "the link to the previous event does not match",
    hash_chain.ALTERED: "the event was altered after it was recorded",
    hash_chain.TAIL_MISSING: "events after the last intact one are missing",
}


def _gap(event: RegisterEvent, count: int) -> str:
    return "" if event.seq == count + 1 else f"event #{count + 1} is missing"


def _entry_problem(event: RegisterEvent, entry: RegisterEntry) -> str:
    """Whether the entry row still says what its `entered` event recorded."""
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


def verify(since: hash_chain.Head | None = None) -> ChainCheck:
    """Re-read every event and entry from the database and re-check every link.

    The first broken link is named by its sequence number and register number: an event whose
    hash or link to the previous one does not match, an entry whose fields differ from what its
    `entered` event recorded, or a head that remembers more events than the table holds.

    `since`, a head verified before (a published one, position = seq), makes it incremental:
    once that event is found intact, only the events after it (and their entries) are read.
    """
    head = RegisterHead.objects.filter(pk=1).first()
    events = RegisterEvent.objects.all()
    entries = RegisterEntry.objects.select_related("application", "provider", "original")
    offset, start = 0, {}
    if since is not None:
        anchor = RegisterEvent.objects.select_related("entry").filter(seq=since.position).first()
        if (
            anchor is None
            or anchor.hash != since.hash
            or anchor.compute_hash(anchor.entry.number) != anchor.hash
        ):
            number = anchor.entry.number if anchor is not None else None
            problem = (
                "the event of a verified head was altered"
                if anchor
                else "the event of a verified head is missing"
            )
            return ChainCheck(0, GENESIS, since.position, number, problem)
        events = events.filter(seq__gt=since.position)
        entries = entries.filter(pk__in=events.values("entry_id")) | entries.filter(pk__gt=anchor.entry_id)
        offset, start = since.position, {None: since.hash}
    entries = {e.pk: e for e in entries}

    def recompute(event: RegisterEvent) -> str:
        entry = entries.get(event.entry_id)
        return event.compute_hash(entry.number) if entry is not None else ""  # no entry: altered

    found = hash_chain.verify(
        events.order_by("seq").iterator(chunk_size=2000),
        recompute,
        heads={None: head.hash} if head is not None else None,
        before=lambda event, count: _gap(event, offset + count),
        after=lambda event: _entry_problem(event, entries[event.entry_id]),
        start=start,
    )
    return _outcome(found, entries, head, offset)


def _outcome(
    found: hash_chain.Check, entries: dict, head: RegisterHead | None, offset: int = 0
) -> ChainCheck:
    prev = found.last.get(None, GENESIS)
    count = offset + found.count
    if found.broken is not None:
        event, problem = found.broken.row, found.broken.problem
        problem = PROBLEMS.get(problem, problem)
        if event is None:  # the newest events were removed: the head remembers more than the table holds
            return ChainCheck(count, prev, count + 1, None, problem)
        entry = entries.get(event.entry_id)
        return ChainCheck(count, prev, event.seq, entry.number if entry else None, problem)
    if head is not None and head.seq != count:
        return ChainCheck(count, prev, count + 1, None, PROBLEMS[hash_chain.TAIL_MISSING])
    entered = RegisterEvent.objects.filter(action=RegisterEvent.Action.ENTERED)
    if offset and entries:  # incremental: only the entries read
        entered = entered.filter(entry_id__gte=min(entries))
    sealed = set(entered.values_list("entry_id", flat=True))
    unsealed = [e for e in entries.values() if e.pk not in sealed]
    if unsealed:
        first = min(unsealed, key=lambda e: e.pk)
        # an entry inserted behind the chain's back: no event seals it (seq 0: not a chain position)
        return ChainCheck(count, prev, 0, first.number, "the entry was never entered through the chain")
    return ChainCheck(count, prev)


def current_head() -> hash_chain.Head | None:
    """The register's head as its head row has it now (None while the register is empty)."""
    head = RegisterHead.objects.filter(pk=1).first()
    return None if head is None or head.seq == 0 else hash_chain.Head(None, head.seq, head.hash)


def against(published) -> list[hash_chain.Mismatch]:
    """The published heads (position = seq) the register no longer agrees with."""
    published = list(published)
    found = dict(
        RegisterEvent.objects.filter(seq__in={h.position for h in published}).values_list("seq", "hash")
    )
    return hash_chain.against(published, lambda head: found.get(head.position))
