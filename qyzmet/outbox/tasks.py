"""Celery tasks of the outbox: delivering a change's events to their subscribers (then one event to
one subscriber, for retries), and the periodic redispatch."""

import logging

from celery import shared_task

from . import delivery

MAX_RETRIES = 5
log = logging.getLogger(__name__)


def backoff(retries: int) -> int:
    """Seconds before the next try: 10, 20, 40, 80, 160 (about five minutes in all)."""
    return 10 * 2**retries


@shared_task(name="qyzmet.outbox.deliver_events", acks_late=True)
def deliver_events(due: list) -> list[str]:
    """The first attempt of each (event id, subscriber) that one change published, in one task.

    One message per change instead of one per subscriber: queuing a message costs the change's
    process about a millisecond, as much as a step's own statements. A delivery whose first
    attempt fails goes on as its own `deliver` task, with its retries."""
    results = []
    for event_id, subscriber in due:
        try:
            results.append(delivery.deliver_now(event_id, subscriber))
        except delivery.Failed as failed:
            log.warning("first delivery failed, retrying on its own: %s", failed)
            deliver.apply_async((event_id, subscriber), retries=1, countdown=backoff(0))
            results.append("retrying")
    return results


@shared_task(bind=True, name="qyzmet.outbox.deliver", max_retries=MAX_RETRIES, acks_late=True)
def deliver(self, event_id: str, subscriber: str) -> str:
    if self.request.is_eager:
        # In-process (the embedded default) nobody would come back later: the retries follow at
        # once, and what still fails is left failed for the admin pages and `retry_failed`.
        for attempt in range(self.request.retries or 0, self.max_retries + 1):
            try:
                return delivery.deliver_now(event_id, subscriber, final=attempt == self.max_retries)
            except delivery.Failed:
                continue
        return "failed"
    final = self.request.retries >= self.max_retries
    try:
        return delivery.deliver_now(event_id, subscriber, final=final)
    except delivery.Failed as failed:
        if final:
            return "failed"
        raise self.retry(exc=failed, countdown=backoff(self.request.retries)) from failed


@shared_task(name="qyzmet.outbox.redispatch")
def redispatch() -> dict:
    return delivery.redispatch()
