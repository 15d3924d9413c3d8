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
    actor_name = getattr(actor, "username", None) or str(actor or "system")
    subject_type = subject._meta.model_name if hasattr(subject, "_meta") else str(subject[0])
    subject_id = str(getattr(subject, "pk", None) if hasattr(subject, "_meta") else subject[1])
    # Stored exactly as it will be read back (dates as ISO strings), so the hash can be re-checked.
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    entry = AuditEntry(
        at=at or clock.now(),
        actor=actor_name,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
    )
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


def _new_head() -> ChainHead:
    ChainHead.objects.get_or_create(pk=1)
    return ChainHead.objects.select_for_update().get(pk=1)


APPEND_SQL = """
WITH head AS (SELECT hash FROM audit_chainhead WHERE id = 1 FOR UPDATE),
     new AS (
       INSERT INTO audit_auditentry (at, actor, action, subject_type, subject_id, data, prev_hash, hash)
       SELECT %s, %s, %s, %s, %s, %s::jsonb, head.hash,
              encode(sha256(convert_to(head.hash || %s, 'UTF8')), 'hex')
       FROM head
       RETURNING id, prev_hash, hash)
UPDATE audit_chainhead SET last_id = new.id, hash = new.hash FROM new WHERE audit_chainhead.id = 1
RETURNING new.id, new.prev_hash, new.hash
"""


def _append_in_one_statement(connection, entry: AuditEntry, digest: str) -> None:
    """Lock the head, insert the entry chained to it and move the head: one round trip."""
    params = [
        entry.at,
        entry.actor,
        entry.action,
        entry.subject_type,
        entry.subject_id,
        json.dumps(entry.data, ensure_ascii=False),
        digest,
    ]
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
