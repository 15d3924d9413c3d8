"""Celery tasks of the outbox: delivering one event to one subscriber, and the periodic redispatch."""

from celery import shared_task

from . import delivery

MAX_RETRIES = 5


def backoff(retries: int) -> int:
    """Seconds before the next try: 10, 20, 40, 80, 160 (about five minutes in all)."""
    return 10 * 2**retries


@shared_task(bind=True, name="qyzmet.outbox.deliver", max_retries=MAX_RETRIES, acks_late=True)
def deliver(self, event_id: str, subscriber: str) -> str:
    if self.request.is_eager:
        # In-process (the embedded default) nobody would come back later: the retries follow at
        # once, and what still fails is left failed for the admin pages and `retry_failed`.
        for attempt in range(self.max_retries + 1):
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
