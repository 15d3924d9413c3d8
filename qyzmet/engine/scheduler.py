"""The embedded default's periodic work: a daemon thread in the web process.

Production runs Celery beat (settings.CELERY_BEAT_SCHEDULE); `make run` has no broker, so the
same jobs run here every minute when QYZMET_INPROCESS_SCHEDULER=1. Each job is idempotent, so
a second process doing the same (say, a manual `manage.py tick`) changes nothing twice.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)
_started = threading.Event()


def _loop(interval: float) -> None:
    from django.db import close_old_connections

    from qyzmet.gateway.lookups import retry_due
    from qyzmet.outbox.delivery import redispatch

    from .services import tick

    while True:
        close_old_connections()
        try:
            log.info("tick %s", tick())
            retry_due()
            redispatch()  # events a crash kept from their subscribers
        except Exception:  # keep the thread alive; the next round tries again
            log.exception("periodic job failed")
        close_old_connections()
        threading.Event().wait(interval)


def start(interval: float = 60.0) -> None:
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, args=(interval,), name="qyzmet-scheduler", daemon=True).start()
