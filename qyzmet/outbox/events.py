"""Writing an event with the change it describes.

On PostgreSQL a change is one statement: `cte` is the common table expression that inserts the
event in it, once for the row the change wrote (so a change that writes nothing records no event).
Elsewhere (SQLite, and changes made through the ORM) `record` inserts it in the change's transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from .models import Event


@dataclass(frozen=True)
class NewEvent:
    """An event not written yet; its id is made here, so the statement and the dispatch share it."""

    kind: str
    data: dict
    at: dt.datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def new_event(kind: str, at: dt.datetime, **data) -> NewEvent:
    """`data` holds plain values (text, numbers): the same JSON on every backend."""
    return NewEvent(kind, data, at)


def cte(name: str, source: str, subject: str = "application_id") -> str:
    """A CTE named `name` that writes the event for each row of `source` (a CTE of the same
    statement), its subject the row's `subject` column; its parameters are `cte_params`."""
    # names come from the engine's constant statements, values are parameters
    return (
        f"{name} AS (\n"  # noqa: S608
        "  INSERT INTO outbox_event (id, kind, subject_id, data, at, recorded_at, settled)\n"
        f"  SELECT %s::uuid, %s, {source}.{subject}, %s::jsonb, %s::timestamptz, statement_timestamp(), %s\n"
        f"  FROM {source}),\n"
    )


def cte_params(event: NewEvent) -> list:
    return [str(event.id), event.kind, _json(event.data), event.at, _settled(event)]


def _settled(event: NewEvent) -> bool:
    """An event nobody subscribes to is settled from the start: redispatch never looks at it."""
    from .subscribers import subscribers_of

    return not subscribers_of(event.kind)


def record(event: NewEvent, subject_id: int) -> Event:
    """Write `event` through the ORM: call it inside the transaction of the change."""
    return Event.objects.create(
        id=event.id,
        kind=event.kind,
        subject_id=subject_id,
        data=event.data,
        at=event.at,
        recorded_at=timezone.now(),
        settled=_settled(event),
    )


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
