"""Writing to and checking the audit chains (see models: one per group of subjects)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import Q

from qyzmet import clock

from . import chain as hash_chain
from .models import CHAINS, GENESIS, AuditEntry, ChainHead, chain_hash, chain_of


def record(
    actor, action: str, subject, data: dict | None = None, at: dt.datetime | None = None
) -> AuditEntry:
    """Append one entry. Call inside the transaction that makes the change it records."""
    return append(new_entry(actor, action, subject, data, at))


def append(entry: AuditEntry) -> AuditEntry:
    """Append an unsaved entry (`new_entry`) to its chain, inside the change's transaction."""
    digest = entry.digest()
    connection = connections[AuditEntry.objects.db]
    # No savepoint: this always runs inside the transaction of the change it records.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _append_in_one_statement(connection, entry, digest)
        else:
            head = hash_chain.lock_head(ChainHead, entry.chain, create=ensure_heads)
            entry.prev_hash, entry.hash = head.hash, chain_hash(head.hash, digest)
            entry.save()
            ChainHead.objects.filter(pk=entry.chain).update(last_id=entry.pk, hash=entry.hash)
    return entry


def new_entry(
    actor, action: str, subject, data: dict | None = None, at: dt.datetime | None = None
) -> AuditEntry:
    """An unsaved entry, its data stored exactly as it will be read back (dates as ISO strings),
    so that its hash can be re-checked. `subject` is a model instance or (type, id)."""
    actor_name = getattr(actor, "username", None) or str(actor or "system")
    subject_type = subject._meta.model_name if hasattr(subject, "_meta") else str(subject[0])
    subject_id = str(getattr(subject, "pk", None) if hasattr(subject, "_meta") else subject[1])
    return AuditEntry(
        chain=chain_of(subject_type, subject_id),
        at=at or clock.now(),
        actor=actor_name,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
    )


def ensure_heads() -> bool:
    """Give every chain its head row where the log has none yet; True when one was missing.

    Statements that carry their audit entry along (`CHAIN_CTES`) write nothing without it."""
    have = set(ChainHead.objects.values_list("pk", flat=True))
    missing = [ChainHead(pk=chain) for chain in range(1, CHAINS + 1) if chain not in have]
    ChainHead.objects.bulk_create(missing, ignore_conflicts=True)
    return bool(missing)


# Appending on PostgreSQL, as common table expressions that other statements can carry along
# (the engine's step transition writes its rows and its audit entry in one statement): lock the
# head (only when `{condition}` holds), insert the entry chained to it, move the head.
CHAIN_CTES = """
head AS (SELECT id, hash FROM audit_chainhead WHERE id = %s AND {condition} FOR UPDATE),
new AS (
  INSERT INTO audit_auditentry (chain, at, actor, action, subject_type, subject_id, data, prev_hash, hash)
  SELECT head.id, %s, %s, %s, %s, %s, %s::jsonb, head.hash, encode(sha256(convert_to(head.hash || %s, 'UTF8')), 'hex')
  FROM head
  RETURNING id, chain, prev_hash, hash),
moved AS (
  UPDATE audit_chainhead SET last_id = new.id, hash = new.hash FROM new WHERE audit_chainhead.id = new.chain
  RETURNING new.id, new.prev_hash, new.hash)
"""

APPEND_SQL = "WITH " + CHAIN_CTES.format(condition="TRUE") + "SELECT id, prev_hash, hash FROM moved"  # noqa: S608 (constants only)


def chain_params(entry: AuditEntry, digest: str) -> list:
    """The parameters of CHAIN_CTES for one entry."""
    return [
        entry.chain,
        entry.at,
        entry.actor,
        entry.action,
        entry.subject_type,
        entry.subject_id,
        json.dumps(entry.data, ensure_ascii=False),
        digest,
    ]


def _append_in_one_statement(connection, entry: AuditEntry, digest: str) -> None:
    """Lock the head, insert the entry chained to it and move the head: one round trip."""
    params = chain_params(entry, digest)
    with connection.cursor() as cursor:
        cursor.execute(APPEND_SQL, params)
        row = cursor.fetchone()
        if row is None:  # the chain's very first entry: create the heads, then append
            ensure_heads()
            cursor.execute(APPEND_SQL, params)
            row = cursor.fetchone()
    entry.pk, entry.prev_hash, entry.hash = row
    entry._state.adding = False


def verify(since: Mapping[int, hash_chain.Head] | None = None) -> tuple[int, AuditEntry | None]:
    """Check every chain. Returns (entries checked, first broken entry or None), in the order the
    entries were appended (by id), whichever chain they are in.

    `since` maps chains to heads verified before (published heads, position = entry id): those
    chains are checked only after them (incremental), once the head's own entry is found intact;
    the other chains from their first entry (full)."""
    since = dict(since or {})
    for chain, head in since.items():
        anchor = AuditEntry.objects.filter(pk=head.position, chain=chain).first()
        if anchor is None or anchor.hash != head.hash or anchor.compute_hash() != anchor.hash:
            return 0, anchor or AuditEntry(pk=head.position, chain=chain, hash=head.hash)
    entries = AuditEntry.objects.all()
    if since:
        after = ~Q(chain__in=list(since))
        for chain, head in since.items():
            after |= Q(chain=chain, id__gt=head.position)
        entries = entries.filter(after)
    # Entries are re-read from the database, so JSON and timestamps are checked as stored.
    check = hash_chain.verify(
        entries.order_by("id").iterator(chunk_size=2000),
        AuditEntry.compute_hash,
        chain_of=lambda entry: entry.chain,
        heads=dict(ChainHead.objects.order_by("pk").values_list("pk", "hash")),
        start={chain: head.hash for chain, head in since.items()},
    )
    if check.intact:
        return check.count, None
    broken = check.broken
    if broken.row is not None:
        return check.count, broken.row
    # The newest entries were removed: the head remembers more than the table holds.
    head = ChainHead.objects.get(pk=broken.chain)
    return check.count, AuditEntry(
        pk=head.last_id, chain=head.pk, prev_hash=check.last.get(head.pk), hash=head.hash
    )


def heads() -> list[hash_chain.Head]:
    """Each chain's head as its head row has it now (chains with entries only)."""
    rows = ChainHead.objects.exclude(hash=GENESIS).order_by("pk").values_list("pk", "last_id", "hash")
    return [hash_chain.Head(chain, last_id, hash_) for chain, last_id, hash_ in rows]


def against(published: Iterable[hash_chain.Head]) -> list[hash_chain.Mismatch]:
    """The published heads (position = entry id) the log no longer agrees with."""
    published = list(published)
    rows = AuditEntry.objects.filter(pk__in={h.position for h in published})
    found = {pk: (chain, hash_) for pk, chain, hash_ in rows.values_list("pk", "chain", "hash")}

    def at(head: hash_chain.Head) -> str | None:
        chain, hash_ = found.get(head.position, (None, None))
        return hash_ if chain == head.chain else None

    return hash_chain.against(published, at)
