"""The embedded default's periodic work: a daemon thread in the web process.

Production runs Celery beat (settings.CELERY_BEAT_SCHEDULE); `make run` has no broker, so the
same jobs, every task of that schedule, run here every minute when QYZMET_INPROCESS_SCHEDULER=1.
Each job is idempotent, so a second process doing the same (say, a manual `python -m qyzmet tick`)
changes nothing twice.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)
_started = threading.Event()


def run_scheduled_jobs() -> dict[str, object]:
    """Run every task of the beat schedule once, in this process; what each returned."""
    from django.conf import settings

    from qyzmet.celery import app

    app.loader.import_default_modules()  # the tasks' modules, as a worker would load them
    results = {}
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        try:
            results[name] = app.tasks[entry["task"]].apply().get()
        except Exception:  # one failing job does not keep the others from running
            log.exception("periodic job %s failed", name)
    return results


def _loop(interval: float) -> None:
    from django.db import close_old_connections

    while True:
        close_old_connections()
        # the engine's clock, look-ups and paper registrations to retry, and the outbox's
        # redispatch of events a crash kept from their subscribers
        log.info("periodic jobs %s", run_scheduled_jobs())
        close_old_connections()
        threading.Event().wait(interval)


def start(interval: float = 60.0) -> None:
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, args=(interval,), name="qyzmet-scheduler", daemon=True).start()
