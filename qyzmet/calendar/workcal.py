"""Working time on Kazakhstan's calendar: which days are worked, and when a time norm falls due.

Days off: Saturdays and Sundays, public holidays from the `holidays` package (with its rule that a
holiday falling on a day off moves to the next working day, Law on holidays Art. 5) as corrected in
`transfers.yaml`, and the Government's transfers of days off (`transfers.yaml`): the day off is not
worked and the weekend day it was moved from is worked instead (both directions count here).

How a norm is counted (the Civil Code: a term starts the day after the event, Art. 173; a term ending
on a non-working day ends on the next working day, Art. 175; and it ends when the office closes,
Art. 176):

* N working days run from the first working day after the start and end at the close of working
  hours of the N-th working day. Registered on Friday 20 March 2015 at 10:00, 15 working days skip the
  Nauryz holidays of 21-25 March and end on 15 April 2015 at 18:30.
* N calendar days end at the close of working hours of the N-th day after the start, moved to the next
  working day when that day is not worked.
* Minutes and hours run in working time from the moment the step starts (a step started after hours
  starts at the next opening). Information systems work around the clock, so the engine asks for
  continuous time for them (`continuous=True`); seconds are always continuous.
* "Within the working day" ends at the close of the working day in which the step starts, or of the next
  working day when it starts after hours or on a day off.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import yaml

ALMATY = ZoneInfo("Asia/Almaty")
TRANSFERS_FILE = Path(__file__).with_name("transfers.yaml")
HOURS_FILE = Path(__file__).with_name("working_hours.yaml")
FIVE_DAY_WEEK = frozenset(range(5))


@dataclass(frozen=True)
class WorkingHours:
    """A provider's working hours; the default is the usual schedule of state bodies."""

    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(18, 30)
    lunch_start: dt.time | None = dt.time(13, 0)
    lunch_end: dt.time | None = dt.time(14, 30)
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))  # Mon=0..Fri=4

    def intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working periods of a worked day, as aware datetimes in Almaty time."""

        def at(t: dt.time) -> dt.datetime:
            return dt.datetime.combine(day, t, tzinfo=ALMATY)

        if self.lunch_start and self.lunch_end:
            return [(at(self.opens), at(self.lunch_start)), (at(self.lunch_end), at(self.closes))]
        return [(at(self.opens), at(self.closes))]

    @property
    def minutes_per_day(self) -> float:
        day = dt.date(2015, 1, 5)
        return sum((b - a).total_seconds() / 60 for a, b in self.intervals(day))


@dataclass(frozen=True)
class CalendarData:
    """What `transfers.yaml` says: the Government's transfers and our corrections of the `holidays` package."""

    transfers: tuple[dict, ...]
    corrections: dict[dt.date, dict]
    no_transfer_known: dict[int, str]

    @property
    def moved_off(self) -> frozenset[dt.date]:
        """The day each transfer gives off (a weekday, usually next to a holiday)."""
        return frozenset(t["day_off"] for t in self.transfers)

    @property
    def moved_from(self) -> frozenset[dt.date]:
        """The day each transfer moved the day off from (usually a Saturday or Sunday), worked instead."""
        return frozenset(t["working_day"] for t in self.transfers)

    def corrected(self, day_off: bool) -> frozenset[dt.date]:
        """Days the `holidays` package misses (day_off=True) or wrongly gives off (day_off=False)."""
        return frozenset(d for d, c in self.corrections.items() if c["day_off"] is day_off)


@functools.lru_cache(maxsize=1)
def load_calendar_data() -> CalendarData:
    data = yaml.safe_load(TRANSFERS_FILE.read_text(encoding="utf-8")) or {}
    return CalendarData(
        transfers=tuple(data.get("transfers") or ()),
        corrections={c["date"]: c for c in data.get("corrections") or ()},
        no_transfer_known=dict(data.get("no_transfer_known") or {}),
    )


class WorkCalendar:
    def __init__(self, hours: WorkingHours | None = None):
        self.hours = hours or WorkingHours()
        self._holidays = holidays.country_holidays("KZ")
        data = load_calendar_data()
        self._corrections = data.corrections
        self._extra_off, self._not_off = data.corrected(True), data.corrected(False)
        if self.hours.weekdays == FIVE_DAY_WEEK:
            # Both directions of each transfer: the day off is not worked, the day it came from is.
            self._extra_off |= data.moved_off
            self._extra_working = data.moved_from
        else:
            # The decrees move the days off of the 5-day week only; other weeks keep their days
            # (the `holidays` package lists the moved days off as holidays, so they are taken back).
            self._not_off |= data.moved_off
            self._extra_working = frozenset()

    # Days -------------------------------------------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        if day in self._extra_working:
            return True
        if day in self._extra_off or (day in self._holidays and day not in self._not_off):
            return False
        return day.weekday() in self.hours.weekdays

    def holiday_name(self, day: dt.date) -> str | None:
        if day in self._corrections:
            return self._corrections[day]["name"] if self._corrections[day]["day_off"] else None
        return self._holidays.get(day)

    def working_days_in(self, year: int, month: int) -> int:
        """How many days of a month are worked (the production calendar's figure for this week)."""
        day, count = dt.date(year, month, 1), 0
        while day.month == month:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def close_of(self, day: dt.date) -> dt.datetime:
        return self.hours.intervals(day)[-1][1]

    # Norms ------------------------------------------------------------------------------------

    def add_working_days(self, start: dt.datetime, days: float) -> dt.datetime:
        # A fraction of a day is not a term the law counts in; round it up to whole days.
        n = max(1, math.ceil(days))
        day = _local(start).date()
        for _ in range(n):
            day = self.next_working_day(day)
        return self.close_of(day)

    def add_calendar_days(self, start: dt.datetime, days: float) -> dt.datetime:
        day = _local(start).date() + dt.timedelta(days=math.ceil(days))
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        return self.close_of(day)

    def add_working_minutes(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """Add working minutes, skipping nights, lunch, days off and holidays."""
        start = _local(start)
        remaining = dt.timedelta(minutes=minutes)
        day = start.date()
        while True:
            if self.is_working_day(day):
                for opens, closes in self.hours.intervals(day):
                    begin = max(opens, start)
                    if begin >= closes:
                        continue
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += dt.timedelta(days=1)

    def within_working_day(self, start: dt.datetime) -> dt.datetime:
        start = _local(start)
        day = start.date()
        if self.is_working_day(day) and start < self.close_of(day):
            return self.close_of(day)
        return self.close_of(self.next_working_day(day))

    def due(self, start: dt.datetime, norm: dict | object, continuous: bool = False) -> dt.datetime:
        """When a step or term started at `start` falls due under `norm`.

        `norm` is a schema norm or its dict form; for a range the maximum is the limit.
        """
        norm = _as_dict(norm)
        unit = norm["unit"]
        if unit == "within_working_day":
            return self.within_working_day(start)
        value = norm.get("value", norm.get("max"))
        if unit == "working_days":
            return self.add_working_days(start, value)
        if unit == "calendar_days":
            return self.add_calendar_days(start, value)
        seconds = {"seconds": 1, "minutes": 60, "hours": 3600}[unit] * value
        if continuous or unit == "seconds":
            return _local(start) + dt.timedelta(seconds=seconds)
        return self.add_working_minutes(start, seconds / 60)

    def kept(self, start: dt.datetime, completed: dt.datetime, norm, continuous: bool = False) -> bool:
        """Whether a step started at `start` and completed at `completed` kept its norm."""
        return completed <= self.due(start, norm, continuous)

    def working_minutes_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working minutes from `a` to `b` (negative if `b` is before `a`), for lateness figures."""
        if b < a:
            return -self.working_minutes_between(b, a)
        a, b = _local(a), _local(b)
        total = 0.0
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for opens, closes in self.hours.intervals(day):
                    lo, hi = max(opens, a), min(closes, b)
                    if hi > lo:
                        total += (hi - lo).total_seconds() / 60
            day += dt.timedelta(days=1)
        return total


def _as_dict(norm) -> dict:
    if isinstance(norm, dict):
        return norm
    return norm.model_dump()


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=ALMATY)
    return moment.astimezone(ALMATY)


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 moment; Almaty time when no offset is given."""
    return _local(dt.datetime.fromisoformat(text))


def _hours_from(row: dict) -> WorkingHours:
    def t(value):
        return None if value is None else dt.time.fromisoformat(value)

    return WorkingHours(
        opens=t(row["opens"]),
        closes=t(row["closes"]),
        lunch_start=t(row.get("lunch_start")),
        lunch_end=t(row.get("lunch_end")),
        weekdays=frozenset(row.get("weekdays", range(5))),
    )


@functools.lru_cache(maxsize=64)
def calendar_for(provider_code: str | None = None) -> WorkCalendar:
    """The working calendar of a provider: its own hours from `working_hours.yaml`, or the default."""
    config = yaml.safe_load(HOURS_FILE.read_text(encoding="utf-8"))
    row = {**config["default"], **(config.get("providers") or {}).get(provider_code, {})}
    return WorkCalendar(_hours_from(row))


def default_calendar() -> WorkCalendar:
    return calendar_for(None)


def due(start: dt.datetime, norm, continuous: bool = False) -> dt.datetime:
    return default_calendar().due(start, norm, continuous)
