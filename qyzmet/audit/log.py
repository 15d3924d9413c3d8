"""Writing to and checking the audit chain."""

from __future__ import annotations

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from qyzmet import clock

from .models import GENESIS, AuditEntry, ChainHead


def record(
    actor, action: str, subject, data: dict | None = None, at: dt.datetime | None = None
) -> AuditEntry:
    """Append one entry. Call inside the transaction that makes the change it records."""
    actor_name = getattr(actor, "username", None) or str(actor or "system")
    subject_type = subject._meta.model_name if hasattr(subject, "_meta") else str(subject[0])
    subject_id = str(getattr(subject, "pk", None) if hasattr(subject, "_meta") else subject[1])
    # Stored exactly as it will be read back (dates as ISO strings), so the hash can be re-checked.
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    # No savepoint: this always runs inside the transaction of the change it records.
    with transaction.atomic(savepoint=False):
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = ChainHead.objects.get_or_create(pk=1)
            head = ChainHead.objects.select_for_update().get(pk=1)
        entry = AuditEntry(
            at=at or clock.now(),
            actor=actor_name,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            data=data,
            prev_hash=head.hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        ChainHead.objects.filter(pk=1).update(last_id=entry.pk, hash=entry.hash)
    return entry


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
