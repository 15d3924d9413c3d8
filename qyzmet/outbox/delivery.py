"""Handing one event to one subscriber, at most once with success, and finding what was never handed.

The delivery row (event id, subscriber) is the subscriber's receipt: once it says delivered, the
event is not handed to that subscriber again, however often it is queued. A handler that raises
leaves the row saying so (`retrying`, then `failed` when the retries are spent) with its error,
for the admin pages; the change the event describes stays as it was committed.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import subscribers
from .models import Delivery, Event

log = logging.getLogger(__name__)

DELIVERED, ALREADY, MISSING = "delivered", "already delivered", "no such event"


class Failed(Exception):
    """The subscriber raised; its delivery row says so."""


def deliver_now(event_id: str, name: str, *, final: bool = False) -> str:
    """Hand the event to subscriber `name` unless it has had it already. Raises `Failed` when
    the handler raised (`final`: no retry follows, the row is marked failed for good)."""
    handler = subscribers.named(name)
    event = Event.objects.filter(pk=event_id).first()
    if event is None:  # its change was never committed
        return MISSING
    now = timezone.now()
    # the attempt's moment is written first, so that redispatch leaves a delivery in progress alone
    row, created = Delivery.objects.get_or_create(
        event=event, subscriber=name, defaults={"last_attempt_at": now}
    )
    if row.state == Delivery.State.DELIVERED:
        return ALREADY
    if not created:
        Delivery.objects.filter(pk=row.pk).update(last_attempt_at=now)
    try:
        # Inside a caller's transaction (a test's, or an eager task run before its commit) a
        # savepoint keeps a failing handler from breaking it; a worker opens none around it,
        # as a handler may call out (mail, SMS) and that is never done inside a transaction.
        with transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext():
            handler.handle(event)
    except Exception as exc:
        state = Delivery.State.FAILED if final else Delivery.State.RETRYING
        Delivery.objects.filter(pk=row.pk).update(
            state=state, attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}", last_attempt_at=now
        )
        log.warning("event %s (%s) to %s failed (%s): %s", event.id, event.kind, name, state, exc)
        raise Failed(f"{name}: {exc}") from exc
    Delivery.objects.filter(pk=row.pk).update(
        state=Delivery.State.DELIVERED,
        attempts=F("attempts") + 1,
        error="",
        last_attempt_at=now,
        delivered_at=now,
    )
    return DELIVERED


WAITED = dt.timedelta(minutes=1)  # an event younger than this is still on its way
STALLED = dt.timedelta(minutes=15)  # longer than all of a delivery's retries take (tasks.backoff)


def redispatch(now: dt.datetime | None = None, batch: int = 2000) -> dict[str, int]:
    """Queue again every delivery of an unsettled event that never happened or has stalled (its
    process or broker went away); mark settled the events whose deliveries have all ended."""
    now = now or timezone.now()
    counts = {"queued": 0, "settled": 0}
    events = (
        Event.objects.filter(settled=False, recorded_at__lt=now - WAITED)
        .prefetch_related("deliveries")
        .order_by("recorded_at")[:batch]
    )
    due, settled = [], []
    for event in events:
        rows = {row.subscriber: row for row in event.deliveries.all()}
        ended = True
        for sub in subscribers.subscribers_of(event.kind):
            row = rows.get(sub.name)
            if row is not None and row.state in (Delivery.State.DELIVERED, Delivery.State.FAILED):
                continue
            ended = False
            last = row.last_attempt_at if row is not None else None
            if last is None or last < now - STALLED:
                due.append((str(event.id), sub.name))
        if ended:
            settled.append(event.pk)
    if settled:
        counts["settled"] = Event.objects.filter(pk__in=settled).update(settled=True)
    subscribers.send(due)
    counts["queued"] = len(due)
    return counts


def retry_failed(deliveries) -> int:
    """Hand failed deliveries out once more (an operator's decision, after fixing the cause)."""
    due = []
    for row in deliveries.filter(state=Delivery.State.FAILED):
        Delivery.objects.filter(pk=row.pk).update(state=Delivery.State.PENDING)
        Event.objects.filter(pk=row.event_id).update(settled=False)
        due.append((str(row.event_id), row.subscriber))
    subscribers.send(due)
    return len(due)
