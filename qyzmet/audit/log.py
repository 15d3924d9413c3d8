"""Writing to and checking the audit chain."""

from __future__ import annotations

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction

from qyzmet import clock

from .models import GENESIS, AuditEntry, ChainHead, chain_hash


def record(
    actor, action: str, subject, data: dict | None = None, at: dt.datetime | None = None
) -> AuditEntry:
    """Append one entry. Call inside the transaction that makes the change it records."""
    return append(new_entry(actor, action, subject, data, at))


def append(entry: AuditEntry) -> AuditEntry:
    """Append an unsaved entry (`new_entry`) to the chain, inside the change's transaction."""
    digest = entry.digest()
    connection = connections[AuditEntry.objects.db]
    # No savepoint: this always runs inside the transaction of the change it records.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _append_in_one_statement(connection, entry, digest)
        else:
            head = ChainHead.objects.select_for_update().filter(pk=1).first() or _new_head()
            entry.prev_hash, entry.hash = head.hash, chain_hash(head.hash, digest)
            entry.save()
            ChainHead.objects.filter(pk=1).update(last_id=entry.pk, hash=entry.hash)
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
        at=at or clock.now(),
        actor=actor_name,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
    )


def ensure_head() -> bool:
    """Create the chain's head row when the log has none yet; True when it had to.

    Statements that carry their audit entry along (`CHAIN_CTES`) write nothing without it."""
    return ChainHead.objects.get_or_create(pk=1)[1]


def _new_head() -> ChainHead:
    ChainHead.objects.get_or_create(pk=1)
    return ChainHead.objects.select_for_update().get(pk=1)


# Appending on PostgreSQL, as common table expressions that other statements can carry along
# (the engine's step transition writes its rows and its audit entry in one statement): lock the
# head (only when `{condition}` holds), insert the entry chained to it, move the head.
CHAIN_CTES = """
head AS (SELECT hash FROM audit_chainhead WHERE id = 1 AND {condition} FOR UPDATE),
new AS (
  INSERT INTO audit_auditentry (at, actor, action, subject_type, subject_id, data, prev_hash, hash)
  SELECT %s, %s, %s, %s, %s, %s::jsonb, head.hash, encode(sha256(convert_to(head.hash || %s, 'UTF8')), 'hex')
  FROM head
  RETURNING id, prev_hash, hash),
moved AS (
  UPDATE audit_chainhead SET last_id = new.id, hash = new.hash FROM new WHERE audit_chainhead.id = 1
  RETURNING new.id, new.prev_hash, new.hash)
"""

APPEND_SQL = "WITH " + CHAIN_CTES.format(condition="TRUE") + "SELECT id, prev_hash, hash FROM moved"  # noqa: S608 (constants only)


def chain_params(entry: AuditEntry, digest: str) -> list:
    """The parameters of CHAIN_CTES for one entry."""
    return [
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
        if row is None:  # the very first entry: create the head, then append
            _new_head()
            cursor.execute(APPEND_SQL, params)
            row = cursor.fetchone()
    entry.pk, entry.prev_hash, entry.hash = row
    entry._state.adding = False


def verify() -> tuple[int, AuditEntry | None]:
    """Check the whole chain. Returns (entries checked, first broken entry or None)."""
    prev = GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        # Entries are re-read from the database, so JSON and timestamps are checked as stored.
        if entry.prev_hash != prev or entry.compute_hash() != entry.hash:
            return count, entry
        prev = entry.hash
        count += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head and head.hash != prev:
        # The newest entries were removed: the head remembers more than the table holds.
        return count, AuditEntry(pk=head.last_id, prev_hash=prev, hash=head.hash)
    return count, None
