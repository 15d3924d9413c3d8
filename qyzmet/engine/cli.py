"""`python -m qyzmet timeline ...`: the expected path of an application, with due moments;
`tick`: the periodic jobs."""

from __future__ import annotations

import sys
import time


def _timeline(args) -> int:
    from qyzmet.calendar.workcal import calendar_for, parse_moment
    from qyzmet.regulations.export import format_norm
    from qyzmet.regulations.loader import catalogue

    from . import paths

    reg = catalogue().get(args.regulation)
    if reg is None:
        print(f"unknown regulation {args.regulation!r}; `regulations list` shows them")
        return 2
    if reg.variant(args.variant) is None:
        print(f"{reg.id} has no variant {args.variant!r}; it has {[v.code for v in reg.variants]}")
        return 2
    filed = parse_moment(args.filed)
    until = reg.in_force.until
    if filed.date() < reg.in_force.from_ or (until and filed.date() >= until):
        print(
            f"note: {reg.id} was not in force on {filed.date()} ({reg.in_force.from_} .. {until or ''})",
            file=sys.stderr,
        )
    calendar = calendar_for(reg.provider.code)
    try:
        planned = paths.plan(reg, args.variant, filed, calendar, channel=args.channel, branch=args.branch)
    except KeyError as exc:
        print(exc.args[0])
        return 2
    for p in planned:
        actor = reg.actor(p.step.actor)
        due = p.due.isoformat() if p.due else "-"
        outcome = f" [{p.outcome}]" if p.outcome else ""
        end = f" END {p.step.end}" if p.step.end else ""
        print(
            f"{p.flow}:{p.step.id}{outcome}{end}\t{actor.name.en if actor else p.step.actor}\t{format_norm(p.step.norm)}\t{due}"
        )
    term_due = paths.application_term_due(reg, args.variant, paths.registration(filed, calendar), calendar)
    variant = reg.variant(args.variant)
    term = format_norm(variant.term) if variant.term else "expected path of the internal procedure"
    print(f"term\t{term}\t\t{term_due.isoformat() if term_due else '-'}")
    return 0


def _tick(args) -> int:
    """The periodic job without Celery (the embedded default): once, or every N seconds."""
    from qyzmet.cli import setup_django

    setup_django()
    from .scheduler import run_scheduled_jobs

    # Every task of the beat schedule, once per round: the engine's clock (overdue steps,
    # escalation, silence-consent, deemed issue), pending look-ups, queued paper registrations.
    while True:
        for job, counts in run_scheduled_jobs().items():
            figures = " ".join(f"{k}={v}" for k, v in counts.items()) if isinstance(counts, dict) else counts
            print(f"{job}: {figures}", flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


def _planned_terms(reg) -> list[str]:
    """`regulations validate`'s check of the planned terms (engine.paths.planning_problems)."""
    from qyzmet.calendar.workcal import calendar_for

    from . import paths

    return paths.planning_problems(reg, calendar_for(reg.provider.code))


def register(sub) -> None:
    from qyzmet.regulations import validate

    if _planned_terms not in validate.CATALOGUE_CHECKS:
        validate.CATALOGUE_CHECKS.append(_planned_terms)
    tl = sub.add_parser("timeline", help="the expected path of an application and its due moments")
    tl.add_argument("regulation")
    tl.add_argument("--variant", required=True)
    tl.add_argument("--filed", required=True, help="ISO 8601, Asia/Almaty time unless an offset is given")
    tl.add_argument("--channel", default=None)
    tl.add_argument("--branch", choices=["approve", "refuse"], default="approve")
    tl.set_defaults(func=_timeline)

    tick = sub.add_parser(
        "tick", help="the periodic jobs: overdue steps, escalation, silence-consent, deemed issue, retries"
    )
    tick.add_argument("--every", type=int, default=0, help="repeat every N seconds (0: once)")
    tick.set_defaults(func=_tick)
