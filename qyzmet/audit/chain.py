"""Hash chains: the one implementation behind the audit log and the permit register.

A chain is a sequence of rows in which each row stores the hash of the row before it
(`prev_hash`, `GENESIS` for the first) and its own `hash`, computed from its content and that
link, so that changing, inserting or removing a row breaks every later link. A head row per
chain remembers the newest hash: it is locked by every append, so two writers never fork a
chain, and comparing it with the rows shows when the newest rows were removed.

The two users differ only in what a row's hash covers, which is part of their published format
and so stays as it was:
  audit log  `link(prev, digest(payload))`: the digest is known before the head is locked, and
             PostgreSQL computes the same link in SQL (audit.log.CHAIN_CTES);
  register   `digest(canonical(payload including prev))`: one hash over the event and its link.
Everything else (canonical JSON, digests, locking the head, walking and checking the rows) is
here, once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

GENESIS = "0" * 64

ALTERED = "altered"  # the row's content no longer gives its hash
UNLINKED = "unlinked"  # the row does not point at the row before it
TAIL_MISSING = "tail_missing"  # the head remembers rows the table no longer holds


def canonical(value) -> bytes:
    """The one byte form of a JSON value that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def digest(data: bytes) -> str:
    """SHA-256 of `data`, as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def link(prev_hash: str, own_digest: str) -> str:
    """A row's place in a chain: SHA-256 of the previous hash followed by the row's own digest
    (hex text). PostgreSQL computes the same as `sha256(convert_to(prev || digest, 'UTF8'))`."""
    return digest((prev_hash + own_digest).encode())


def lock_head(model, pk, create: Callable[[], object] | None = None):
    """The head row `pk` of `model`, locked until the caller's transaction ends (call inside
    `atomic`); made first when missing (by `create`, or as a fresh row at GENESIS)."""
    head = model.objects.select_for_update().filter(pk=pk).first()
    if head is None:
        if create is not None:
            create()
        else:
            model.objects.get_or_create(pk=pk)
        head = model.objects.select_for_update().get(pk=pk)
    return head


MISSING = "missing"  # a published head's row is gone: the chain is shorter than published
REWRITTEN = "rewritten"  # the row at a published head's position has another hash


@dataclass(frozen=True)
class Head:
    """A chain's head as published: the chain, the position of its last row and that row's hash."""

    chain: Hashable
    position: int
    hash: str


@dataclass(frozen=True)
class Mismatch:
    """A published head the live chain no longer agrees with (MISSING or REWRITTEN)."""

    head: Head
    problem: str
    found: str | None = None  # the hash at that position now, when there is a row


def against(published: Iterable[Head], found: Callable[[Head], str | None]) -> list[Mismatch]:
    """Compare the live chain with heads published earlier: `found(head)` gives the hash of the
    row at the head's position in its chain today (None when there is no such row). A published
    head is a promise that the chain reached it with that hash: a row that is gone means the
    newest rows were deleted (or the log wiped), another hash means the history was rewritten."""
    mismatches = []
    for head in published:
        now = found(head)
        if now is None:
            mismatches.append(Mismatch(head, MISSING))
        elif now != head.hash:
            mismatches.append(Mismatch(head, REWRITTEN, now))
    return mismatches


@dataclass(frozen=True)
class Break:
    """The first broken link found: the row (None when rows are missing at the end of a chain),
    its chain and what is wrong (ALTERED, UNLINKED, TAIL_MISSING or the caller's own word)."""

    row: object | None
    chain: Hashable
    problem: str


@dataclass(frozen=True)
class Check:
    """What `verify` found: rows checked before the first break, the last intact hash of each
    chain, and the break (None if every chain is intact)."""

    count: int
    last: Mapping[Hashable, str] = field(default_factory=dict)
    broken: Break | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify(
    rows: Iterable,
    recompute: Callable[[object], str],
    *,
    chain_of: Callable[[object], Hashable] = lambda row: None,
    heads: Mapping[Hashable, str] | None = None,
    before: Callable[[object, int], str] | None = None,
    after: Callable[[object], str] | None = None,
    start: Mapping[Hashable, str] | None = None,
) -> Check:
    """Walk `rows` in the order they were appended and re-check every link.

    `recompute(row)` gives the hash the row's stored content calls for; `chain_of(row)` the
    chain it belongs to (one chain by default). The caller's own checks of a row, each naming a
    problem or "": `before(row, rows checked so far)`, asked before its links are checked, and
    `after(row)`, once they held. `heads` maps each chain to the hash its head row
    remembers: a head ahead of its chain's last row means rows were removed from the end.
    `start` maps a chain to the hash of a row already verified (a published head): `rows` then
    begin after it, and the walk links to it instead of GENESIS (incremental verification).
    """
    last: dict[Hashable, str] = dict(start or {})
    count = 0
    for row in rows:
        chain = chain_of(row)
        problem = before(row, count) if before is not None else ""
        if not problem and row.prev_hash != last.get(chain, GENESIS):
            problem = UNLINKED
        if not problem and recompute(row) != row.hash:
            problem = ALTERED
        if not problem and after is not None:
            problem = after(row)
        if problem:
            return Check(count, last, Break(row, chain, problem))
        last[chain] = row.hash
        count += 1
    for chain, remembered in (heads or {}).items():
        if remembered != last.get(chain, GENESIS):
            return Check(count, last, Break(None, chain, TAIL_MISSING))
    return Check(count, last)
