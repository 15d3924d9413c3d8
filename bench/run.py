"""Benchmarks, each printed with a baseline run in the same process.

catalogue: parsing + validating every regulation file, against plain YAML parsing of the same files.
calendar:  due moments of working-day and working-minute norms, against adding a timedelta.
The engine benchmark (PostgreSQL, against SpiffWorkflow and pgbench) is bench/engine.py.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402

from qyzmet.calendar.workcal import ALMATY, WorkCalendar  # noqa: E402
from qyzmet.regulations.loader import regulation_files  # noqa: E402
from qyzmet.regulations.validate import validate_catalogue  # noqa: E402


def rate(fn, seconds: float = 1.5) -> float:
    """Calls per second of `fn`, measured over at least `seconds`."""
    fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        calls += 1
    return calls / elapsed


def bench_catalogue() -> None:
    texts = [p.read_text(encoding="utf-8") for p in regulation_files()]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    baseline = rate(lambda: [yaml.load(t, Loader=loader) for t in texts])  # noqa: S506 (a safe loader)
    ours = rate(lambda: validate_catalogue())
    print(f"catalogue_files={len(texts)}")
    print(
        f"catalogue_validations_per_s={ours:.2f} yaml_parse_only_per_s={baseline:.2f} ratio={ours / baseline:.2f}"
    )


def bench_calendar() -> None:
    cal = WorkCalendar()
    starts = [dt.datetime(2015, 1, 1, 10, tzinfo=ALMATY) + dt.timedelta(hours=7 * i) for i in range(500)]
    days = {"value": 15, "unit": "working_days"}
    minutes = {"value": 90, "unit": "minutes"}

    def ours():
        for s in starts:
            cal.due(s, days)
            cal.due(s, minutes)

    def baseline():
        for s in starts:
            _ = s + dt.timedelta(days=21)
            _ = s + dt.timedelta(minutes=90)

    a, b = rate(ours) * len(starts) * 2, rate(baseline) * len(starts) * 2
    print(f"calendar_due_per_s={a:.0f} timedelta_add_per_s={b:.0f} ratio={a / b:.3f}")


if __name__ == "__main__":
    bench_catalogue()
    bench_calendar()
