"""`python -m qyzmet calendar ...`: Kazakhstan's working calendar (no database needed).

calendar is-working-day 2013-10-12            yes (a Saturday worked instead of Monday 14 October)
calendar add 2013-10-11T10:00 1               2013-10-12T18:30:00+06:00 (N working days by default)
calendar add 2015-03-20T10:00 15 working_days
calendar add 2015-06-01T19:00 within_working_day
calendar month 2024 6                         19 (working days of a month, 5-day week)
"""

from __future__ import annotations

import datetime as dt
import sys

UNITS = ("working_days", "calendar_days", "hours", "minutes", "seconds", "within_working_day")


def _calendar(args) -> int:
    from . import workcal

    cal = workcal.calendar_for(args.provider)
    if args.action == "is-working-day":
        print("yes" if cal.is_working_day(dt.date.fromisoformat(args.date)) else "no")
        return 0
    if args.action == "month":
        print(cal.working_days_in(args.year, args.month))
        return 0
    # add START N [UNIT]; `add START within_working_day` has no amount.
    amount, unit = args.amount, args.unit
    if unit is None:
        amount, unit = (None, amount) if amount == "within_working_day" else (amount, "working_days")
    if unit not in UNITS:
        print(f"unknown unit {unit!r}; one of {', '.join(UNITS)}", file=sys.stderr)
        return 2
    start = workcal.parse_moment(args.moment)
    if unit == "within_working_day":
        due = cal.due(start, {"unit": unit})
    else:
        try:
            value = float(amount)
        except ValueError:
            print(f"not a number: {amount!r}", file=sys.stderr)
            return 2
        due = cal.due(start, {"value": value, "unit": unit})
    print(due.isoformat())
    return 0


def register(sub) -> None:
    cal = sub.add_parser("calendar", help="Kazakhstan's working calendar")
    cal_sub = cal.add_subparsers(dest="action", required=True)
    add = cal_sub.add_parser("add", help="when a term of N units started at a moment falls due")
    add.add_argument("moment", help="ISO 8601, Asia/Almaty time unless an offset is given")
    add.add_argument("amount", help="a number, or `within_working_day`")
    add.add_argument(
        "unit", nargs="?", default=None, help=f"one of {', '.join(UNITS)}; working_days if omitted"
    )
    add.add_argument("--provider", default=None, help="a provider code, for its working hours")
    iwd = cal_sub.add_parser("is-working-day", help="yes or no")
    iwd.add_argument("date")
    iwd.add_argument("--provider", default=None)
    month = cal_sub.add_parser("month", help="how many working days a month has")
    month.add_argument("year", type=int)
    month.add_argument("month", type=int)
    month.add_argument("--provider", default=None)
    cal.set_defaults(func=_calendar)
