"""The platform's clock. Every regulation in the seeds has been repealed, so a demonstration
or training environment can run on a day when they were in force: `QYZMET_TODAY=2015-10-14`
shifts the clock by whole days (time of day stays real), the same in every process.
Production leaves it unset and runs on real time. Code asks `clock.now()`, never `timezone.now()`.
"""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone


def now() -> dt.datetime:
    real = timezone.now()
    today = os.environ.get("QYZMET_TODAY")
    if not today:
        return real
    # The same local time of day on the demo day, with the UTC offset the zone had on that day:
    # Almaty was UTC+6 in 2015 and is UTC+5 since 2024, so shifting by whole days in UTC would
    # land on the next local day during the hour between the two midnights.
    local = timezone.localtime(real)
    return timezone.make_aware(
        dt.datetime.combine(dt.date.fromisoformat(today), local.time().replace(tzinfo=None))
    )


def today() -> dt.date:
    return timezone.localtime(now()).date()
