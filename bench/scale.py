"""Do the pages stay flat as the history grows? PostgreSQL filled in bulk to 10 thousand, 100
thousand and 1 million applications, and the read pages timed at each size.

fill:     applications spread over the 18 providers of the demo catalogue (every regulation with an
          internal procedure, at every provider acting for it) and five years, each with its step
          runs (the main steps of its procedure, in order), audit entries (filed, one per step) and,
          when it ended in a result, a register entry with its `entered` event. Rows are written by
          INSERT ... SELECT generate_series in SQL, not through the ORM. The open backlog is the same
          at every size (--open, filed in the last three weeks, some of it overdue, a tenth paused):
          what grows is the history, the way years of closed applications pile up behind a
          provider's current work. Sizes are reached by adding rows (10k, then 90k more, ...), so
          one run measures every size on the same rows. Hashes are unique but not chained (the
          audit and register chains do not verify on these rows; nothing timed here checks them).
pages:    through the Django test client in this process, logged in for real (password sessions
          for the office and the cabinet, a bearer token for the staff API): the office inbox for
          the office clerk and the licensing department of the Almaty entrepreneurship department
          (the provider with most services), its overdue list, the head's dashboard, the staff API's
          inbox and dashboard, the applicant's cabinet and application page, the public register
          searched by number and by BIN, and a public verification page.
baseline: `SELECT COUNT(*) FROM engine_application` on the same connection in the same run: the
          cost of touching every application once. A page whose time grows like it reads the whole
          history; a flat page's ratio to it falls by the growth of the table.

Printed, for each page and size: `<page>.<size>.p50=`, `.p99=` (milliseconds), `.x_count=` (p50
over the baseline's p50) and `.buffers=` (shared buffers its statements touch, from EXPLAIN ANALYZE:
the database's work, whatever the machine's load), then `<page>.growth=` (p50 at the largest size
over p50 at the smallest) and `.buffers_growth=`.
Targets (issue 14, item 3): at 1M every page p50 < 100 ms, p99 < 300 ms, growth <= 2.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--repeat 40] [--open 2000]
                                    [--explain] [--keep]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/qyzmet_scale; the database is dropped
and created again at the start (unless --keep, which reuses rows already there), so do not point
this at a database you care about. The fill runs as the connecting role: the append-only triggers
refuse UPDATE and DELETE only, and the fill only inserts.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402
from common import ensure_database, with_db  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qyzmet_scale"
PROVIDER = "almaty-entrepreneurship-department"
YEARS = 5
MAX_STEPS = 6  # main steps of a procedure taken per application (S1, S2, ... in order)
PASSWORD = "scale-bench"  # noqa: S105 (the bench's own throw-away logins)
APPLICANT_IIN = "870412300129"  # the cabinet's applicant (a valid IIN)


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if name == "qyzmet":
        raise SystemExit("refusing to drop the database qyzmet")
    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# The shapes of applications ---------------------------------------------------------------------


def prepare() -> dict:
    """Providers, demo staff, the bench's logins and the shape tables the fill draws from."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from qyzmet.demo.providers import seed_providers
    from qyzmet.identity.numbers import generate_bin
    from qyzmet.providers.models import Provider, StaffRole
    from qyzmet.registry.models import NUMBER_PREFIX, Kind
    from qyzmet.regulations.models import Regulation

    User = get_user_model()
    if not Provider.objects.exists():
        seed_providers(with_staff=False)
    shapes, steps = [], []
    for row in Regulation.objects.order_by("pk"):
        reg = row.parsed
        variants = [v.code for v in reg.variants if reg.procedure_for(v.code)]
        if not variants:
            continue
        proc = reg.procedure_for(variants[0])
        main = [s for s in proc.steps if re.fullmatch(r"S\d+", s.id)][:MAX_STEPS]
        result = next((r for r in reg.results if r.kind in Kind.values), None)
        for provider in Provider.objects.filter(acts_as=reg.provider.code).order_by("pk"):
            sid = len(shapes)
            shapes.append(
                (
                    sid,
                    row.pk,
                    provider.pk,
                    reg.service,
                    variants[0],
                    reg.channels[0].code,
                    proc.code,
                    len(main),
                    result.kind if result else "",
                    result.code if result else "",
                    NUMBER_PREFIX.get(result.kind, "") if result else "",
                    reg.title.model_dump_json() if hasattr(reg.title, "model_dump_json") else '{"en": ""}',
                )
            )
            steps += [(sid, i + 1, s.id, s.actor) for i, s in enumerate(main)]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_shape, bench_step")
        cur.execute(
            "CREATE TABLE bench_shape (sid int PRIMARY KEY, regulation_id text, provider_id bigint,"
            " service text, variant text, channel text, procedure text, nsteps int, kind text,"
            " result text, prefix text, title jsonb)"
        )
        cur.execute(
            "CREATE TABLE bench_step (sid int, ord int, step_id text, role text, PRIMARY KEY (sid, ord))"
        )
        cur.executemany("INSERT INTO bench_shape VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", shapes)
        cur.executemany("INSERT INTO bench_step VALUES (%s,%s,%s,%s)", steps)
    # The logins timed: the provider's clerk, licensing department and head; a superuser; an
    # applicant. One password hash each.
    provider = Provider.objects.filter(acts_as=PROVIDER).order_by("pk").first()
    logins = {}
    for role in ("office-clerk", "licensing-department", "head"):
        user, created = User.objects.get_or_create(username=f"bench.{role}")
        if created:
            user.set_password(PASSWORD)
            user.save()
            StaffRole.objects.create(user=user, provider=provider, role=role)
        logins[role] = user
    applicant, created = User.objects.get_or_create(username=APPLICANT_IIN)
    if created:
        applicant.set_password(PASSWORD)
        applicant.save()
    logins["applicant"] = applicant
    return {
        "provider": provider,
        "shapes": len(shapes),
        "logins": logins,
        "bin": generate_bin(rng=__import__("random").Random(14)),
    }


# The fill ----------------------------------------------------------------------------------------


FILL_APPLICATIONS = """
INSERT INTO engine_application (number, service, variant, channel, procedure, applicant, applicant_name,
    status, filed_at, registered_at, due_at, closed_at, overdue_since, result, refusal_grounds,
    refusal_text, data, applicant_user_id, provider_id, regulation_id, payment_id)
SELECT 'SC-' || lpad(g::text, 9, '0'), s.service, s.variant, s.channel, s.procedure,
    CASE WHEN g %% 1000 = 7 AND g <= %(first_batch)s::int THEN %(iin)s::text
         WHEN g %% 1000 = 8 AND g <= %(first_batch)s::int THEN %(bin)s::text
         ELSE lpad(((g / 3) * 7919 %% 1000000000000)::text, 12, '0') END,
    'Applicant ' || (g / 3), st.status, f.filed, f.filed,
    f.filed + interval '15 days',
    CASE WHEN st.open THEN NULL ELSE f.filed + (s.nsteps || ' days')::interval END,
    NULL,
    CASE WHEN st.status IN ('issued', 'deemed_issued') THEN s.result ELSE '' END,
    CASE WHEN st.status = 'refused' THEN '["grounds-1"]'::jsonb ELSE '[]'::jsonb END,
    '', jsonb_build_object('documents', jsonb_build_array('application form', 'copy'), 'phone', '+7 701 000 00 00'),
    NULL, s.provider_id, s.regulation_id, NULL
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
JOIN bench_shape s ON s.sid = g %% %(shapes)s::int
CROSS JOIN LATERAL (SELECT g <= %(open)s::int AS open) o
CROSS JOIN LATERAL (SELECT
    CASE WHEN o.open THEN (CASE WHEN g %% 10 = 3 THEN 'paused' ELSE 'in_progress' END)
         WHEN g %% 20 < 3 THEN 'refused' WHEN g %% 20 = 3 THEN 'deemed_issued' ELSE 'issued' END AS status,
    o.open) st
CROSS JOIN LATERAL (SELECT date_trunc('minute',
    CASE WHEN o.open THEN %(now)s::timestamptz - ((g * 7 %% 21) || ' days')::interval - ((g %% 480) || ' minutes')::interval
         ELSE %(now)s::timestamptz - interval '25 days' - (((g * 104729) %% (%(years)s::int * 365 * 24 * 60)) || ' minutes')::interval
    END) AS filed) f
"""

# One run per main step up to the application's last one; an open application's last step is open.
FILL_STEPS = """
INSERT INTO engine_steprun (flow, step_id, role, started_at, due_at, due_rule, completed_at, outcome,
    kept, overdue_since, escalated_at, note, application_id, assignee_id, completed_by_id, working_minutes)
SELECT s.procedure, st.step_id, st.role, t.started, t.started + interval '2 days', '',
    CASE WHEN t.done THEN t.finished END,
    CASE WHEN t.done THEN 'done' ELSE '' END,
    CASE WHEN t.done THEN t.finished <= t.started + interval '2 days' END,
    CASE WHEN NOT t.done AND t.started + interval '2 days' < %(now)s::timestamptz THEN t.started + interval '2 days' END,
    CASE WHEN NOT t.done AND t.started + interval '3 days' < %(now)s::timestamptz AND a.id %% 3 = 0
         THEN t.started + interval '3 days' END,
    '', a.id, NULL, NULL,
    CASE WHEN t.done THEN extract(epoch FROM t.finished - t.started) / 60 / 3 END
FROM engine_application a
JOIN bench_shape s ON s.regulation_id = a.regulation_id AND s.provider_id = a.provider_id
CROSS JOIN LATERAL (SELECT CASE WHEN a.status IN ('in_progress', 'paused')
    THEN 1 + a.id %% s.nsteps ELSE s.nsteps END AS last) l
JOIN bench_step st ON st.sid = s.sid AND st.ord <= l.last
CROSS JOIN LATERAL (SELECT
    a.filed_at + ((st.ord - 1) || ' days')::interval AS started,
    a.filed_at + ((st.ord - 1) || ' days')::interval
        + CASE WHEN (a.id + st.ord) %% 10 = 0 THEN interval '3 days' ELSE interval '5 hours' END AS finished,
    NOT (a.status IN ('in_progress', 'paused') AND st.ord = l.last) AS done) t
WHERE a.id > %(after)s::bigint
"""

FILL_AUDIT = """
INSERT INTO audit_auditentry (chain, at, actor, action, subject_type, subject_id, data, prev_hash, hash)
SELECT 1 + a.id %% 16, a.filed_at, 'portal', 'application_filed', 'application', a.id::text,
    jsonb_build_object('number', a.number, 'service', a.service), repeat('0', 64),
    md5('app' || a.id) || md5('filed' || a.id)
FROM engine_application a WHERE a.id > %(after)s::bigint
UNION ALL
SELECT 1 + r.application_id %% 16, r.completed_at, 'staff', 'step_completed', 'application',
    r.application_id::text, jsonb_build_object('step', r.step_id, 'outcome', r.outcome), repeat('0', 64),
    md5('run' || r.id) || md5('completed' || r.id)
FROM engine_steprun r WHERE r.application_id > %(after)s::bigint AND r.completed_at IS NOT NULL
"""

FILL_REGISTER = """
INSERT INTO registry_registerentry (number, kind, name, result_code, regulation_id, service, holder,
    holder_name, activity, subtypes, issued_on, valid_until, status, entered_at, prev_hash, hash,
    application_id, original_id, provider_id)
SELECT s.prefix || '-' || extract(year FROM a.closed_at)::int || '-' || lpad(a.id::text, 7, '0'),
    s.kind, s.title, s.result, s.regulation_id, s.service, a.applicant, a.applicant_name, s.title,
    '[]'::jsonb, (a.closed_at AT TIME ZONE 'Asia/Almaty')::date, NULL, 'valid', a.closed_at,
    repeat('0', 64), md5('entry' || a.id) || md5('entered' || a.id), a.id, NULL, a.provider_id
FROM engine_application a JOIN bench_shape s ON s.regulation_id = a.regulation_id AND s.provider_id = a.provider_id
WHERE a.id > %(after)s::bigint AND a.status IN ('issued', 'deemed_issued') AND s.kind <> ''
"""

FILL_EVENTS = """
INSERT INTO registry_registerevent (seq, action, status, at, actor, note, data, prev_hash, hash, entry_id)
SELECT coalesce((SELECT max(seq) FROM registry_registerevent), 0) + row_number() OVER (ORDER BY e.id),
    'entered', 'valid', e.entered_at, 'system', '', '{}'::jsonb, repeat('0', 64),
    md5('event' || e.id) || md5('valid' || e.id), e.id
FROM registry_registerentry e WHERE e.application_id > %(after)s::bigint
"""


def fill(conn, lo: int, hi: int, *, first_batch: int, shapes: int, open_count: int, bin_: str, now) -> dict:
    """Applications numbered lo..hi and what hangs on them; returns seconds per table."""
    cur = conn.cursor()
    after = cur.execute("SELECT coalesce(max(id), 0) FROM engine_application").fetchone()[0]
    params = {
        "lo": lo,
        "hi": hi,
        "first_batch": first_batch,
        "shapes": shapes,
        "open": open_count,
        "iin": APPLICANT_IIN,
        "bin": bin_,
        "now": now,
        "years": YEARS,
        "after": after,
    }
    seconds = {}
    for name, statement in (
        ("applications", FILL_APPLICATIONS),
        ("steps", FILL_STEPS),
        ("audit", FILL_AUDIT),
        ("register", FILL_REGISTER),
        ("events", FILL_EVENTS),
    ):
        start = time.perf_counter()
        cur.execute(statement, params)
        seconds[name] = time.perf_counter() - start
    start = time.perf_counter()
    conn.commit()
    cur.execute("VACUUM ANALYZE")  # Django's connection is in autocommit mode
    seconds["vacuum"] = time.perf_counter() - start
    return seconds


# The pages ---------------------------------------------------------------------------------------


def pages(ctx: dict) -> dict:
    """name -> (client, path, extra headers): each page as its user sees it."""
    from django.test import Client

    from qyzmet.api.models import ApiToken
    from qyzmet.engine.models import Application
    from qyzmet.registry.models import RegisterEntry

    logins = ctx["logins"]
    clients = {}
    for who in ("office-clerk", "licensing-department", "head", "applicant"):
        client = Client()
        # the login form, as a person signs in (django-axes wants the request)
        answer = client.post("/accounts/login/", {"username": logins[who].username, "password": PASSWORD})
        if answer.status_code != 302:
            raise SystemExit(f"could not log in as {logins[who].username}: {answer.status_code}")
        clients[who] = client
    _, token = ApiToken.issue(logins["licensing-department"], "scale bench")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    mine = Application.objects.filter(applicant=APPLICANT_IIN).order_by("id").first()
    entry = RegisterEntry.objects.filter(holder=ctx["bin"]).order_by("id").first()
    code = ctx["provider"].code
    return {
        "inbox_clerk": (clients["office-clerk"], "/office/", {}),
        "inbox_licensing": (clients["licensing-department"], "/office/", {}),
        "inbox_head": (clients["head"], "/office/", {}),
        "overdue_licensing": (clients["licensing-department"], "/office/?overdue=1", {}),
        "dashboard_head": (clients["head"], "/office/dashboard/", {}),
        "api_inbox": (Client(), "/api/v1/inbox", bearer),
        "api_dashboard": (Client(), f"/api/v1/providers/{code}/dashboard", bearer),
        "cabinet": (clients["applicant"], "/portal/cabinet/", {}),
        "application_page": (clients["applicant"], f"/portal/cabinet/applications/{mine.number}/", {}),
        "register_by_number": (Client(), f"/register/?number={entry.number}", {}),
        "register_by_bin": (Client(), f"/register/?holder={ctx['bin']}", {}),
        "verify": (Client(), f"/register/verify/{entry.number}/", {}),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_pages(ctx: dict, repeat: int, only: set[str] | None) -> dict:
    from django.db import connection

    results = {}
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM engine_application")  # warm
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            cur.execute("SELECT COUNT(*) FROM engine_application")
            cur.fetchone()
            samples.append((time.perf_counter() - start) * 1000)
    results["count_baseline"] = samples
    for name, (client, path, headers) in pages(ctx).items():
        if only and name not in only:
            continue
        response = client.get(path, **headers)  # warm-up: templates, regulations parsed
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answered {response.status_code}")
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(path, **headers)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        results[name] = samples
    return results


def buffers_of(sql: str) -> int:
    """Shared buffers (8 kB pages, from cache or disk) one statement touches: the database's work,
    which unlike milliseconds does not depend on what else the machine is doing."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    top = plan[0]["Plan"]
    return top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)


def page_buffers(ctx: dict, only: set[str] | None) -> dict[str, int]:
    """Per page, the buffers its SELECT statements touch (each re-run under EXPLAIN ANALYZE)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    found = {"count_baseline": buffers_of("SELECT COUNT(*) FROM engine_application")}
    for name, (client, path, headers) in pages(ctx).items():
        if only and name not in only:
            continue
        with CaptureQueriesContext(connection) as captured:
            client.get(path, **headers)
        found[name] = sum(
            buffers_of(q["sql"])
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT")
        )
    return found


def explain(ctx: dict, only: set[str] | None) -> None:
    """EXPLAIN ANALYZE of every statement each page runs, slowest first (to stderr)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, (client, path, headers) in pages(ctx).items():
        if only and name not in only:
            continue
        with CaptureQueriesContext(connection) as captured:
            client.get(path, **headers)
        timed = []
        for q in captured.captured_queries:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                continue
            timed.append((float(q["time"]), q["sql"]))
        timed.sort(reverse=True)
        print(f"== {name} {path}: {len(captured.captured_queries)} statements", file=sys.stderr)
        for seconds, sql in timed[:3]:
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cur.fetchall())
            print(f"-- {seconds * 1000:.1f} ms\n{sql}\n{plan}\n", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--open", type=int, default=2000, help="open applications at every size")
    parser.add_argument("--pages", default="", help="comma-separated page names to time (default all)")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE each page's slowest statements"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the rows already in the database")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    only = set(filter(None, args.pages.split(","))) or None

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    if args.keep:
        ensure_database(url)
    else:
        recreate_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qyzmet.settings")
    common.setup_django()
    from django.conf import settings
    from django.db import connection

    from qyzmet import clock
    from qyzmet.engine import figures

    settings.ALLOWED_HOSTS = ["*"]
    logging.disable(logging.INFO)  # one log line per request would be timed too
    ctx = prepare()
    print(f"shapes={ctx['shapes']} providers={ctx['provider'].__class__.objects.count()}")
    now = clock.now()
    results: dict[str, dict[int, list[float]]] = {}
    buffers: dict[str, dict[int, int]] = {}
    for size in sizes:
        connection.ensure_connection()
        raw = connection.connection
        done = raw.execute("SELECT count(*) FROM engine_application").fetchone()[0]
        raw.commit()
        if done < size:
            start = time.perf_counter()
            seconds = fill(
                raw,
                done + 1,
                size,
                first_batch=sizes[0],
                shapes=ctx["shapes"],
                open_count=args.open,
                bin_=ctx["bin"],
                now=now,
            )
            total = time.perf_counter() - start
            rows = raw.execute(
                "SELECT (SELECT count(*) FROM engine_steprun), (SELECT count(*) FROM audit_auditentry),"
                " (SELECT count(*) FROM registry_registerentry)"
            ).fetchone()
            raw.commit()
            print(
                f"fill.{size}.seconds={total:.1f} "
                + " ".join(f"fill.{size}.{k}={v:.1f}" for k, v in seconds.items())
                + f" steps={rows[0]} audit={rows[1]} register={rows[2]}",
                flush=True,
            )
        start = time.perf_counter()
        mark = figures.roll_up()  # what Celery beat does every hour
        print(f"roll_up.{size}.seconds={time.perf_counter() - start:.1f} upto_id={mark.upto_id}", flush=True)
        if args.explain:
            explain(ctx, only)
        for name, samples in time_pages(ctx, args.repeat, only).items():
            results.setdefault(name, {})[size] = samples
        for name, count in page_buffers(ctx, only).items():
            buffers.setdefault(name, {})[size] = count
        base = statistics.median(results["count_baseline"][size])
        for name, by_size in results.items():
            samples = by_size[size]
            p50 = statistics.median(samples)
            print(
                f"{name}.{size}.p50={p50:.1f} {name}.{size}.p99={percentile(samples, 0.99):.1f}"
                f" {name}.{size}.x_count={p50 / base:.2f} {name}.{size}.buffers={buffers[name][size]}",
                flush=True,
            )
    first, last = sizes[0], sizes[-1]
    for name, by_size in results.items():
        if first != last:
            growth = statistics.median(by_size[last]) / statistics.median(by_size[first])
            grew = buffers[name][last] / max(1, buffers[name][first])
            print(f"{name}.growth={growth:.2f} {name}.buffers_growth={grew:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
