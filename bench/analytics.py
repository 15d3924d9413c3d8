"""Measurement benchmark on PostgreSQL: conformance replay and the figures dashboard over many
applications, each beside a plain COUNT(*) over the same rows in the same run.

fill:         --n applications of the specialist-certificate regulation at --providers providers
              (supervised by one ministry), written by PostgreSQL itself (INSERT ... SELECT over
              generate_series) with their step runs (the engine's recorded events: role,
              officer, start, due moment, completion, outcome, working time), statuses, terms
              and channels spread as a year of work would; not timed.
roll-up:      the hourly roll-up (engine and analytics totals, `analytics.rollup`) as beat would
              have run it; timed, but not with the pages.
conformance:  `analytics.conformance.replay` over the benchmark's providers; events/s = step
              runs replayed per second, and the seconds that makes for a million events.
              Baseline: SELECT COUNT(*) of the same step runs.
dashboard:    GET /office/figures/ as the ministry's supervisor (compliance by provider and
              month, steps, officers, refusal drift, the page rendered), --repeat times; p50 and
              p99 in ms. Baseline: COUNT(*) of the same applications, as many times.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qyzmet_measure .venv/bin/python bench/analytics.py [--n 20000]

Rows are left behind under the providers bench-analytics-*; a second run reuses them when the
count matches.
"""

from __future__ import annotations

import argparse
import os
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


SLICE = 100_000
# One slice of applications, generate_series(first, last): provider by turn, filed within a year,
# the first provider refusing twice as often, 5 % still open, 3 % deemed issued by silence.
APPLICATIONS_SQL = """
INSERT INTO engine_application (number, service, variant, channel, procedure, applicant, applicant_name,
    status, filed_at, registered_at, due_at, closed_at, result, refusal_grounds, refusal_text, data,
    provider_id, regulation_id)
SELECT 'BA-' || i, %(service)s, 'issue',
    (ARRAY['egov_portal', 'egov_portal', 'provider_office', 'psc'])[1 + floor(random() * 4)::int],
    'examination', '870412300129', '', status, filed, filed, filed + interval '5 days',
    CASE status WHEN 'in_progress' THEN NULL WHEN 'deemed_issued' THEN filed + interval '5 days'
        ELSE filed + make_interval(secs => 86400 * (1 + 6 * random())) END,
    '',
    CASE WHEN status = 'refused' THEN jsonb_build_array(
        (%(grounds)s::text[])[1 + floor(random() * cardinality(%(grounds)s::text[]))::int])
        ELSE '[]'::jsonb END,
    '', '{}'::jsonb, provider_id, %(regulation)s
FROM (
    SELECT i, provider_id, filed,
        CASE WHEN roll < 0.1 + 0.1 * (k = 0)::int THEN 'refused' WHEN roll > 0.97 THEN 'deemed_issued'
             WHEN roll > 0.92 THEN 'in_progress' ELSE 'issued' END AS status
    FROM (
        SELECT i, i %% cardinality(%(units)s::bigint[]) AS k,
            (%(units)s::bigint[])[1 + i %% cardinality(%(units)s::bigint[])] AS provider_id,
            random() AS roll,
            timestamptz '2018-01-08 10:00+06'
                + make_interval(days => floor(random() * 361)::int, mins => floor(random() * 401)::int) AS filed
        FROM generate_series(%(first)s::int, %(last)s::int) AS i
    ) x
) y
"""
# The step runs of the applications after id `after`: four steps one after the other, working
# time log-normal (median 148 min), kept under 8 hours; an open application's last step running.
STEP_RUNS_SQL = """
INSERT INTO engine_steprun (flow, step_id, role, started_at, due_at, due_rule, completed_at, outcome,
    kept, note, application_id, completed_by_id, working_minutes)
SELECT 'examination', (%(steps)s::text[])[s.k], 'executor',
    a.filed_at + make_interval(secs => 120 * s.before),
    a.filed_at + make_interval(secs => 120 * s.before) + interval '1 day', '',
    CASE WHEN a.open AND s.k = 4 THEN NULL ELSE a.filed_at + make_interval(secs => 120 * (s.before + s.m)) END,
    '', CASE WHEN a.open AND s.k = 4 THEN NULL ELSE s.m < 480 END, '', a.id,
    CASE WHEN a.open AND s.k = 4 THEN NULL ELSE (%(officers)s::int[])[a.pos][1 + floor(random() * 4)::int] END,
    CASE WHEN a.open AND s.k = 4 THEN NULL ELSE s.m END
FROM (
    SELECT id, filed_at, status = 'in_progress' AS open, array_position(%(units)s::bigint[], provider_id) AS pos
    FROM engine_application WHERE id > %(after)s AND provider_id = ANY(%(units)s::bigint[])
) a
CROSS JOIN LATERAL (
    SELECT array_agg(exp(5 + 0.8 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))) AS m
    FROM generate_series(1, 4) j WHERE a.id IS NOT NULL
) r
CROSS JOIN LATERAL (
    SELECT k, r.m[k] AS m, coalesce((SELECT sum(v) FROM unnest(r.m[1:k - 1]) v), 0) AS before
    FROM generate_series(1, 4) k
) s
"""


def fill(n: int, providers: int, seed: int = 15) -> tuple[list, object]:
    """The benchmark's providers, officers and supervisor (a few ORM rows), then `n` applications
    and their step runs written by PostgreSQL itself (INSERT ... SELECT over generate_series, in
    slices of SLICE applications): no Python object per row."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from qyzmet.engine.models import Application
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
    unit_ids = [p.pk for p in units]
    officers = []
    for p in units:
        row = []
        for j in range(4):
            user, _ = User.objects.get_or_create(username=f"{p.code}.executor{j}")
            StaffRole.objects.get_or_create(user=user, provider=p, role="executor")
            row.append(user.pk)
        officers.append(row)
    steps = [s.id for s in reg.procedure_for("issue").steps][:4]
    grounds = [g.code for g in reg.refusal_grounds]
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed / 100])
        bench_apps = "SELECT id FROM engine_application WHERE provider_id = ANY(%s)"
        cur.execute(
            f"DELETE FROM engine_pendingapplication WHERE application_id IN ({bench_apps})", [unit_ids]
        )
        cur.execute(f"DELETE FROM engine_steprun WHERE application_id IN ({bench_apps})", [unit_ids])
        cur.execute("DELETE FROM engine_application WHERE provider_id = ANY(%s)", [unit_ids])
        for first in range(0, n, SLICE):
            last = min(n, first + SLICE) - 1
            cur.execute("SELECT coalesce(max(id), 0) FROM engine_application")
            (after,) = cur.fetchone()
            cur.execute(
                APPLICATIONS_SQL,
                {
                    "first": first,
                    "last": last,
                    "units": unit_ids,
                    "service": reg.service,
                    "regulation": REGULATION,
                    "grounds": grounds,
                },
            )
            cur.execute(
                STEP_RUNS_SQL,
                {
                    "after": after,
                    "units": unit_ids,
                    "officers": officers,
                    "steps": steps,
                },
            )
            print(f"  filled {last + 1} applications", flush=True)
    return units, supervisor


def close_all_but(units, keep: int) -> bool:
    """Close as issued (3 days after filing, their running step completed) every open application
    of `units` but the `keep` filed last; whether any was closed."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            WITH closing AS (
                SELECT id FROM engine_application WHERE provider_id = ANY(%(units)s) AND status = 'in_progress'
                ORDER BY filed_at DESC, id DESC OFFSET %(keep)s
            ), closed AS (
                UPDATE engine_application a SET status = 'issued', closed_at = a.filed_at + interval '3 days'
                FROM closing WHERE a.id = closing.id RETURNING a.id
            )
            UPDATE engine_steprun r SET completed_at = r.started_at + interval '300 min', kept = true,
                working_minutes = 150,
                completed_by_id = (SELECT p.completed_by_id FROM engine_steprun p
                                   WHERE p.application_id = r.application_id AND p.completed_by_id IS NOT NULL LIMIT 1)
            FROM closed WHERE r.application_id = closed.id AND r.completed_at IS NULL
            """,
            {"units": [p.pk for p in units], "keep": keep},
        )
        changed = cur.rowcount > 0
    if changed:
        print(f"closed all but {keep} open applications", flush=True)
    return changed


def open_newest(units, want: int) -> bool:
    """Re-open the closed applications of `units` filed last until `want` are open, as the fill
    leaves an open one (its last step running, no result): a larger backlog without a refill;
    whether any was re-opened."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            WITH opening AS (
                SELECT id FROM engine_application
                WHERE provider_id = ANY(%(units)s) AND status <> 'in_progress'
                ORDER BY filed_at DESC, id DESC
                LIMIT greatest(0, %(want)s - (SELECT count(*) FROM engine_application
                    WHERE provider_id = ANY(%(units)s) AND status = 'in_progress'))
            ), opened AS (
                UPDATE engine_application a SET status = 'in_progress', closed_at = NULL, result = '',
                    refusal_grounds = '[]'::jsonb
                FROM opening WHERE a.id = opening.id RETURNING a.id
            )
            UPDATE engine_steprun r SET completed_at = NULL, kept = NULL, outcome = '',
                completed_by_id = NULL, working_minutes = NULL
            FROM opened WHERE r.application_id = opened.id
                AND r.id = (SELECT max(l.id) FROM engine_steprun l WHERE l.application_id = opened.id)
            """,
            {"units": [p.pk for p in units], "want": want},
        )
        changed = cur.rowcount > 0
    if changed:
        print(f"re-opened applications up to {want} open", flush=True)
    return changed


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
    parser.add_argument("--fill-only", action="store_true", help="fill (and roll up), measure nothing")
    parser.add_argument(
        "--open",
        type=int,
        default=None,
        help="applications left open (the newest filed; the others closed as issued, or the newest "
        "closed re-opened when fewer are open): a provider's current work, the same at every size "
        "as in scale.py (default: the fill's 5 %%)",
    )
    parser.add_argument(
        "--roll-up",
        action="store_true",
        help="roll up again even when the newest roll-up is recent (after a change to the totals)",
    )
    parser.add_argument("--skip", choices=("conformance", "dashboard"), help="leave one measurement out")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    common.setup_django()
    from django.conf import settings
    from django.db import connection

    from qyzmet.analytics.conformance import replay
    from qyzmet.analytics.models import RollupMark
    from qyzmet.engine import figures as engine_figures
    from qyzmet.engine.models import Application, StepRun

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    t = time.perf_counter()
    units, supervisor = fill(args.n, args.providers)
    reopened = args.open is not None and (close_all_but(units, args.open) | open_newest(units, args.open))
    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would have them
        # and, after closing or re-opening thousands at once, the tables vacuumed as it would
        # soon do (until then the open applications' index cannot answer alone: a row read each)
        vacuum = (
            "VACUUM (ANALYZE) engine_application, engine_steprun"
            if reopened
            else "ANALYZE engine_application, engine_steprun"
        )
        cursor.execute(vacuum)
        cursor.execute("ANALYZE auth_user")
    apps = Application.objects.filter(provider__in=units)
    runs = StepRun.objects.filter(application__in=apps)
    events = runs.count()
    print(
        f"filled applications={apps.count()} step_runs={events} in {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    if args.fill_only:
        return 0

    # the hourly roll-up (Celery beat), as it would have run by now: not timed with the pages
    t = time.perf_counter()
    mark = engine_figures.newest_mark()
    top = apps.order_by("-pk").values_list("pk", flat=True).first() or 0
    if (
        reopened
        or args.roll_up
        or mark is None
        or mark.upto_id < top - engine_figures.MARGIN
        or not RollupMark.objects.filter(generation=mark.generation).exists()
    ):
        mark = engine_figures.roll_up()
    print(f"rolled_up generation={mark.generation} upto_id={mark.upto_id} in {time.perf_counter() - t:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    if args.skip != "conformance":
        conformance(units, runs, events, replay)
    if args.skip != "dashboard":
        dashboard(apps, supervisor, args.repeat)
    return 0


def conformance(units, runs, events: int, replay) -> None:
    """Each provider replayed, as the office page does; beside COUNT(*) of the same step runs."""
    t = time.perf_counter()
    replayed = 0
    for p in units:
        replayed += replay(provider=p.code).cases
    conformance_s = time.perf_counter() - t
    count_s = min(timed(lambda: runs.count(), 5)) / 1000
    conformance_rate, count_rate = events / conformance_s, events / count_s
    print(
        f"conformance_events_per_s={conformance_rate:.0f} (cases={replayed} events={events} "
        f"in {conformance_s:.1f} s) count_events_per_s={count_rate:.0f} ratio={conformance_rate / count_rate:.4f}"
    )
    per_million, count_per_million = 1e6 / conformance_rate, 1e6 / count_rate
    print(
        f"conformance_seconds_1m={per_million:.1f} count_seconds_1m={count_per_million:.3f} "
        f"ratio={per_million / count_per_million:.0f}",
        flush=True,
    )


def dashboard(apps, supervisor, repeat: int) -> None:
    """GET /office/figures/ as the ministry's supervisor; beside COUNT(*) of the same applications."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(supervisor)

    def dashboard():
        response = client.get("/office/figures/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, response.status_code

    page = timed(dashboard, repeat)
    plain = timed(lambda: apps.count(), repeat)
    p50, p99, c50, c99 = (
        percentile(page, 0.5),
        percentile(page, 0.99),
        percentile(plain, 0.5),
        percentile(plain, 0.99),
    )
    print(f"dashboard_p50_ms={p50:.1f} count_p50_ms={c50:.2f} ratio={p50 / c50:.1f}", flush=True)
    print(f"dashboard_p99_ms={p99:.1f} count_p99_ms={c99:.2f} ratio={p99 / c99:.1f}", flush=True)
    print(f"dashboard_mean_ms={statistics.fmean(page):.1f} vendor={connection.vendor}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
