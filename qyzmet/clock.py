"""The platform's clock. Every regulation in the seeds has been repealed, so a demonstration
or training environment can run on a day when they were in force: `QYZMET_TODAY=2015-10-14`
shifts the clock by whole days (time of day stays real), the same in every process.
Production leaves it unset and runs on real time. Code asks `clock.now()`, never `timezone.now()`.
"""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone


def _offset() -> dt.timedelta:
    today = os.environ.get("QYZMET_TODAY")
    if not today:
        return dt.timedelta(0)
    return dt.date.fromisoformat(today) - timezone.localdate()


def now() -> dt.datetime:
    return timezone.now() + _offset()


def today() -> dt.date:
    return timezone.localtime(now()).date()
