"""Entering a result in the register in hand-written SQL (PostgreSQL): two statements.

Entering is part of closing every issued application, so, like the engine's step transition
(engine/store.py), it does not go through the ORM. The first statement locks the register's
head and reads what numbering needs; the second writes the entry, its `entered` event, the new
head and the audit entry (audit.log.CHAIN_CTES). The caller computes the hashes in between and
runs both in one transaction: the head stays locked from the read to the commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from qyzmet.audit.log import CHAIN_CTES, chain_params

from .models import RegisterHead


@dataclass(frozen=True)
class Found:
    """What the locking read found: the head (locked), the application's entry if it has one,
    and the last number of the kind and year asked for."""

    head: RegisterHead
    existing_id: int | None
    last_number: str | None


# The head is locked (FOR UPDATE OF h), but the rest of the statement reads the snapshot taken
# when it started: if another entry was committed while this statement waited for the lock, the
# snapshot misses it, though the locked row is its newest version. The head as the snapshot saw
# it (`seen`) tells: when it differs, the statement is run again, now holding the lock, with a
# fresh snapshot that nobody can change any more. The number range is the one `_next_number`
# reads: [prefix, prefix~) backwards on the unique index.
LOCK_AND_READ = """
SELECT h.seq, h.hash,
       (SELECT s.seq FROM registry_registerhead s WHERE s.id = 1) AS seen,
       (SELECT e.id FROM registry_registerentry e WHERE e.application_id = %s) AS existing_id,
       (SELECT e.number FROM registry_registerentry e WHERE e.number >= %s AND e.number < %s
        ORDER BY e.number DESC LIMIT 1) AS last_number
FROM registry_registerhead h
WHERE h.id = 1
FOR UPDATE OF h
"""


def lock_and_read(connection, application_id: int, prefix: str) -> Found:
    """Lock the head and read the application's entry and the last number under `prefix`
    (call inside a transaction)."""
    params = [application_id, prefix, prefix + "~"]
    with connection.cursor() as cursor:
        while True:
            cursor.execute(LOCK_AND_READ, params)
            row = cursor.fetchone()
            if row is None:  # an empty register: create its head, as chain.locked_head does
                RegisterHead.objects.using(connection.alias).get_or_create(pk=1)
                continue
            seq, hash_, seen, existing_id, last_number = row
            if seen == seq:
                break
    return Found(RegisterHead(pk=1, seq=seq, hash=hash_), existing_id, last_number)


# The entry, its `entered` event and the head's move, with the audit entry (whose CTEs are named
# head, new and moved) carried along.
ENTER = (  # constants only
    "WITH entered AS ("  # noqa: S608
    + """
  INSERT INTO registry_registerentry (number, kind, name, result_code, application_id, regulation_id, service,
      holder, holder_name, activity, subtypes, provider_id, issued_on, valid_until, status, original_id,
      entered_at, prev_hash, hash)
  VALUES (%s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s::date, %s::date, %s, %s,
      %s::timestamptz, %s, %s)
  RETURNING id),
sealed AS (
  INSERT INTO registry_registerevent (seq, entry_id, action, status, at, actor, note, data, prev_hash, hash)
  SELECT %s, entered.id, %s, %s, %s::timestamptz, %s, %s, %s::jsonb, %s, %s FROM entered
  RETURNING id),
advanced AS (
  UPDATE registry_registerhead SET seq = %s, hash = %s, at = %s::timestamptz WHERE id = 1),
"""
    + CHAIN_CTES.format(condition="TRUE")
    + "SELECT (SELECT id FROM entered), (SELECT count(*) FROM moved)"
)


def enter(connection, entry, event, audit_entry) -> bool:
    """Insert `entry` with its `entered` event (both unsaved, hashes computed), move the head and
    append `audit_entry`. Sets the entry's id; returns False when the audit chain has no head
    yet, so the audit entry was not appended (the register's rows were: append it separately)."""
    ops = connection.ops
    params = [
        *[entry.number, entry.kind, _json(entry.name), entry.result_code, entry.application_id],
        *[entry.regulation_id, entry.service, entry.holder, entry.holder_name, _json(entry.activity)],
        *[_json(entry.subtypes), entry.provider_id, ops.adapt_datefield_value(entry.issued_on)],
        *[ops.adapt_datefield_value(entry.valid_until), entry.status, entry.original_id],
        *[ops.adapt_datetimefield_value(entry.entered_at), entry.prev_hash, entry.hash],
        *[event.seq, event.action, event.status, ops.adapt_datetimefield_value(event.at), event.actor],
        *[event.note, _json(event.data), event.prev_hash, event.hash],
        *[event.seq, event.hash, ops.adapt_datetimefield_value(event.at)],
    ]
    with connection.cursor() as cursor:
        cursor.execute(ENTER, params + chain_params(audit_entry, audit_entry.digest()))
        entry_id, appended = cursor.fetchone()
    entry.pk = entry_id
    entry._state.adding, entry._state.db = False, connection.alias
    return bool(appended)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
