"""Measurement benchmark on PostgreSQL: conformance replay and the figures dashboard over many
applications, each beside a plain COUNT(*) over the same rows in the same run.

fill:         --n applications of the specialist-certificate regulation at --providers providers
              (supervised by one ministry), written in bulk with their step runs (the engine's
              recorded events: role, officer, start, due moment, completion, outcome, working
              time), statuses, terms and channels spread as a year of work would; not timed.
conformance:  `analytics.conformance.replay` over the benchmark's providers; events/s = step
              runs replayed per second. Baseline: SELECT COUNT(*) of the same step runs.
dashboard:    GET /office/figures/ as the ministry's supervisor (compliance by provider and
              month, steps, officers, refusal drift, the page rendered), --repeat times; p50 and
              p99 in ms. Baseline: COUNT(*) of the same applications, as many times.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qyzmet_measure .venv/bin/python bench/analytics.py [--n 20000]

Rows are left behind under the providers bench-analytics-*; a second run reuses them when the
count matches.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402
from common import DEFAULT_URL, ensure_database  # noqa: E402

REGULATION = "mhsd-2015-401/specialist-certificate"
PREFIX = "bench-analytics"


def fill(n: int, providers: int, seed: int = 15) -> tuple[list, object]:
    from django.contrib.auth import get_user_model

    from qyzmet.calendar.workcal import ALMATY
    from qyzmet.engine.models import Application, StepRun
    from qyzmet.providers.models import SUPERVISOR, Provider, StaffRole
    from qyzmet.regulations.loader import catalogue

    reg = catalogue()[REGULATION]
    User = get_user_model()
    units = []
    for k in range(providers):
        p, _ = Provider.objects.get_or_create(
            code=f"{PREFIX}-{k}",
            defaults={"acts_as": reg.provider.code, "name": reg.provider.name.model_dump()},
        )
        units.append(p)
    ministry, _ = Provider.objects.get_or_create(
        code=f"{PREFIX}-ministry", defaults={"acts_as": "ministry-of-health", "name": {"en": "Ministry"}}
    )
    ministry.supervises.add(*units)
    supervisor, _ = User.objects.get_or_create(username=f"{PREFIX}.supervisor")
    StaffRole.objects.get_or_create(user=supervisor, provider=ministry, role=SUPERVISOR)
    apps = Application.objects.filter(provider__in=units)
    if apps.count() == n:
        return units, supervisor
    StepRun.objects.filter(application__in=apps).delete()
    apps.delete()
    officers = []
    for p in units:
        for j in range(4):
            user, _ = User.objects.get_or_create(username=f"{p.code}.executor{j}")
            StaffRole.objects.get_or_create(user=user, provider=p, role="executor")
            officers.append((p.pk, user.pk))
    by_provider = {}
    for pk, user in officers:
        by_provider.setdefault(pk, []).append(user)
    rng = random.Random(seed)
    start = dt.datetime(2018, 1, 8, 10, tzinfo=ALMATY)
    steps = [s.id for s in reg.procedure_for("issue").steps][:4]
    grounds = [g.code for g in reg.refusal_grounds]
    channels = ["egov_portal", "egov_portal", "provider_office", "psc"]
    batch = 5000
    for first in range(0, n, batch):
        rows = []
        for i in range(first, min(n, first + batch)):
            p = units[i % len(units)]
            filed = start + dt.timedelta(days=rng.randint(0, 360), minutes=rng.randint(0, 400))
            due = filed + dt.timedelta(days=5)
            roll = rng.random()
            refused = roll < 0.1 + 0.1 * (p is units[0])  # the first provider refuses twice as often
            status = (
                "refused"
                if refused
                else "deemed_issued"
                if roll > 0.97
                else "in_progress"
                if roll > 0.92
                else "issued"
            )
            closed = (
                None
                if status == "in_progress"
                else due
                if status == "deemed_issued"
                else filed + dt.timedelta(days=rng.uniform(1, 7))
            )
            rows.append(
                Application(
                    number=f"BA-{i}",
                    regulation_id=REGULATION,
                    service=reg.service,
                    variant="issue",
                    channel=rng.choice(channels),
                    procedure="examination",
                    applicant="870412300129",
                    provider=p,
                    status=status,
                    filed_at=filed,
                    registered_at=filed,
                    due_at=due,
                    closed_at=closed,
                    refusal_grounds=[rng.choice(grounds)] if refused else [],
                )
            )
        created = Application.objects.bulk_create(rows)
        runs = []
        for app in created:
            at = app.filed_at
            for step in steps:
                minutes = rng.lognormvariate(5, 0.8)
                done = at + dt.timedelta(minutes=minutes * 2)
                if app.closed_at is None and step == steps[-1]:
                    runs.append(
                        StepRun(
                            application=app,
                            flow="examination",
                            step_id=step,
                            role="executor",
                            started_at=at,
                            due_at=at + dt.timedelta(days=1),
                        )
                    )
                    break
                runs.append(
                    StepRun(
                        application=app,
                        flow="examination",
                        step_id=step,
                        role="executor",
                        started_at=at,
                        due_at=at + dt.timedelta(days=1),
                        completed_at=done,
                        completed_by_id=rng.choice(by_provider[app.provider_id]),
                        outcome="",
                        kept=minutes < 480,
                        working_minutes=minutes,
                    )
                )
                at = done
        StepRun.objects.bulk_create(runs, batch_size=5000)
    return units, supervisor


def timed(function, repeat: int) -> list[float]:
    function()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        function()
        times.append((time.perf_counter() - t) * 1000)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--providers", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    common.setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from qyzmet.analytics.conformance import replay
    from qyzmet.engine.models import Application, StepRun

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    t = time.perf_counter()
    units, supervisor = fill(args.n, args.providers)
    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would have them
        cursor.execute("ANALYZE engine_application, engine_steprun, auth_user")
    apps = Application.objects.filter(provider__in=units)
    runs = StepRun.objects.filter(application__in=apps)
    events = runs.count()
    print(
        f"filled applications={apps.count()} step_runs={events} in {time.perf_counter() - t:.1f} s",
        flush=True,
    )

    # conformance: each provider replayed, as the office page does
    t = time.perf_counter()
    replayed = 0
    for p in units:
        replayed += replay(provider=p.code).cases
    conformance_s = time.perf_counter() - t
    count_s = min(timed(lambda: runs.count(), 5)) / 1000
    conformance_rate, count_rate = events / conformance_s, events / count_s
    print(
        f"conformance_events_per_s={conformance_rate:.0f} (cases={replayed}) "
        f"count_events_per_s={count_rate:.0f} ratio={conformance_rate / count_rate:.4f}"
    )

    client = Client()
    client.force_login(supervisor)

    def dashboard():
        response = client.get("/office/figures/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, response.status_code

    page = timed(dashboard, args.repeat)
    plain = timed(lambda: apps.count(), args.repeat)
    p50, p99, c50, c99 = (
        percentile(page, 0.5),
        percentile(page, 0.99),
        percentile(plain, 0.5),
        percentile(plain, 0.99),
    )
    print(f"dashboard_p50_ms={p50:.1f} count_p50_ms={c50:.2f} ratio={p50 / c50:.1f}", flush=True)
    print(f"dashboard_p99_ms={p99:.1f} count_p99_ms={c99:.2f} ratio={p99 / c99:.1f}", flush=True)
    print(f"dashboard_mean_ms={statistics.fmean(page):.1f} vendor={connection.vendor}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
