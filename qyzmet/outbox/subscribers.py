"""Who acts on which events, and handing events to them once their change is committed.

Each app that acts on events registers its handlers in its `subscribers` module, imported by its
AppConfig.ready:

    @subscriber("registry.enter_result", CLOSED)
    def enter_issued(event): ...

A handler gets the committed `Event`; it must be idempotent (it may be handed the same event
again after a crash), and should raise when it could not do its work, to be retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from .events import NewEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscriber:
    name: str
    kinds: frozenset[str]
    handle: Callable


_subscribers: dict[str, Subscriber] = {}


def subscriber(name: str, *kinds: str):
    """Register the decorated function as the handler `name` of events of `kinds`."""

    def register(handle):
        _subscribers[name] = Subscriber(name, frozenset(kinds), handle)
        return handle

    return register


def subscribers_of(kind: str) -> list[Subscriber]:
    return [s for s in _subscribers.values() if kind in s.kinds]


def named(name: str) -> Subscriber:
    return _subscribers[name]


def publish(events: Iterable[NewEvent], using: str | None = None) -> None:
    """Hand `events` to their subscribers once the transaction that wrote them commits (at once
    when none is open, as after one of the engine's single statements)."""
    due = [(str(e.id), s.name) for e in events for s in subscribers_of(e.kind)]
    if due:
        after_commit(partial(send, due), using)


def after_commit(callback, using: str | None) -> None:
    transaction.on_commit(callback, using=using, robust=True)


def send(due: Iterable[tuple[str, str]]) -> None:
    """Queue one task for the (event id, subscriber) pairs of a change. A broker that cannot take
    it loses nothing: the events are in the database, and `tasks.redispatch` queues them later."""
    from .tasks import deliver_events

    due = [list(pair) for pair in due]
    if not due:
        return
    try:
        deliver_events.delay(due)
    except Exception:  # noqa: BLE001 - the change is committed; its events wait for redispatch
        log.exception("events %s not queued; redispatch will queue them", sorted({e for e, _ in due}))
