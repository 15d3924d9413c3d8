"""`python -m qyzmet conformance` and `python -m qyzmet events export`: measurement from the command line."""

from __future__ import annotations

import datetime as dt
import sys


def _since(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        raise SystemExit(f"--since takes a day as YYYY-MM-DD, not {value!r}") from error
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _conformance(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    from .conformance import replay

    report = replay(provider=args.provider, since=_since(args.since) if args.since else None)
    sys.stdout.write(report.as_json() + "\n" if args.format == "json" else report.as_csv())
    # The summary goes to stderr when the findings go to stdout as data, so a pipe gets clean JSON/CSV.
    print(report.summary(), file=sys.stderr)
    return 0


def _events(args) -> int:
    from qyzmet.cli import setup_django

    setup_django()
    from . import eventlog

    write = eventlog.write_xes if args.format == "xes" else eventlog.write_ocel
    since = _since(args.since) if args.since else None
    with open(args.out, "w", encoding="utf-8") as out:
        count = write(out, since=since)
    print(f"events={count} format={args.format} out={args.out}")
    return 0


def register(sub) -> None:
    conformance = sub.add_parser(
        "conformance",
        help="replay each application's steps against its regulation's flow and list deviations",
    )
    conformance.add_argument("--provider", help="a provider's code")
    conformance.add_argument("--since", help="applications filed on or after this day (YYYY-MM-DD)")
    conformance.add_argument("--format", choices=["json", "csv"], default="json")
    conformance.set_defaults(func=_conformance)

    events = sub.add_parser("events", help="the event log for process mining")
    events_sub = events.add_subparsers(dest="action", required=True)
    export = events_sub.add_parser(
        "export", help="applications, steps, officers and outcomes as XES or OCEL 2.0"
    )
    export.add_argument("--format", choices=["xes", "ocel"], required=True)
    export.add_argument("--out", required=True, help="the file to write")
    export.add_argument("--since", help="applications filed on or after this day (YYYY-MM-DD)")
    events.set_defaults(func=_events)
