"""Background work of the gateway: retrying the lookups that met an unavailable system.

Run it periodically (Celery beat, e.g. every minute); each run takes only the due rows, and
each row's own backoff decides when it is due, so a frequent schedule costs little.
"""

from __future__ import annotations

from celery import shared_task

from . import lookups


@shared_task(name="qyzmet.gateway.tasks.retry_pending_lookups")
def retry_pending_lookups(limit: int = 100) -> dict[str, int]:
    """Retry due pending lookups; returns how many are done, not_found or still waiting."""
    return lookups.retry_due(limit=limit)
