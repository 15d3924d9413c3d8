"""Background work of the paper intake: registrations queued while a state database was down.

Celery beat runs it every 30 seconds (settings.CELERY_BEAT_SCHEDULE); the embedded default runs
the same schedule in-process (`engine.scheduler`). Each row's own backoff decides when it is due.
"""

from __future__ import annotations

from celery import shared_task

from . import registration


@shared_task(name="qyzmet.intake.paper.tasks.retry_queued_registrations")
def retry_queued_registrations(limit: int = 100) -> dict[str, int]:
    """Try due queued registrations; returns how many were filed, refused or still wait."""
    return registration.retry_due(limit=limit)
