"""Engine benchmark on PostgreSQL, with two baselines run against the same database server.

engine:  N applications of a licence driven through its whole internal procedure (approve path)
         by `engine.services`, one transaction and audit entries per change, as in production.
spiff:   the same procedure exported as BPMN and run in SpiffWorkflow, its whole workflow state
         serialized with `BpmnWorkflowSerializer` and saved to a table after every task, each save
         one statement on its own: what a BPMN engine persisting per step costs on the same database.
floor:   the same reads, autocommit statements and transactions per application as the engine
         makes, in the same order, as tiny statements from raw psycopg with no logic; and the bare
         floor, one INSERT per durable change: what commits alone allow on this machine.
pgbench: the database server's own rate of small write transactions (TPC-B-like, 2 clients).

Each is run with one client and with --clients processes at once (default 2, as pgbench -c 2),
so that every ratio compares equal concurrency, and in --rounds turns (default 5) that alternate
between them, so that the load of other work on the machine falls on each alike.
profile: where the engine's time goes (queries per call, database share, cProfile top entries),
         measured on a smaller run after the timed one, so the measuring does not slow it.

Targets (issue 14): engine >= 2x SpiffWorkflow's steps/s and >= 0.5 of its floor, at 1 and 2 clients.

    .venv/bin/python bench/engine.py [--n 200] [--clients 2] [--rounds 5] [--profile-n 20]
                                     [--pgbench-seconds 10] [--no-pgbench] [--no-profile]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/qyzmet_bench; the database is created
if missing, migrated and loaded with the catalogue. Benchmark rows are left behind (each run adds
its own applications), so do not point this at a database you care about.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402
from common import DEFAULT_URL, cumulative, ensure_database, run_clients, with_db  # noqa: E402

REGULATION = "almaty-2015-2-279/medical-licence"
VARIANT = "issue"
PGBENCH_DB = "qyzmet_pgbench"
SPIFF_TABLE = "bench_spiff_workflow"


# Database set-up ------------------------------------------------------------------------------


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # The engine's events are queued for a worker (here the in-memory broker, which nobody reads
    # during the timed runs), as in production; `bench_deliveries` then does the worker's part.
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")
    common.setup_django()
    # Query logging (DEBUG) would slow the timed runs; the profile section turns it on for itself.
    from django.conf import settings

    settings.DEBUG = False


# The engine -----------------------------------------------------------------------------------


class EngineDriver:
    """A provider with staff for every role of the procedure, and a way to drive applications."""

    def __init__(self, label: str):
        from django.contrib.auth import get_user_model

        from qyzmet.engine import paths
        from qyzmet.providers.models import Provider, StaffRole
        from qyzmet.regulations.loader import catalogue

        self.reg = catalogue()[REGULATION]
        self.procedure = self.reg.procedure_for(VARIANT)
        self.path = paths.walk(self.procedure, VARIANT)  # [(step, outcome)], approve path
        self.provider, _ = Provider.objects.get_or_create(
            code=f"bench-{label}",
            defaults={"acts_as": self.reg.provider.code, "name": self.reg.provider.name.model_dump()},
        )
        User = get_user_model()
        self.staff = {}
        for step, _outcome in self.path:
            if step.actor not in self.staff:
                user, _ = User.objects.get_or_create(username=f"bench-{label}.{step.actor}")
                StaffRole.objects.get_or_create(user=user, provider=self.provider, role=step.actor)
                self.staff[step.actor] = user
        day = self.reg.in_force.from_ + dt.timedelta(days=10)
        from qyzmet.calendar.workcal import ALMATY

        self.filed = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ALMATY)
        from qyzmet.regulations.models import Regulation

        # Every channel (portal, office reception, service centre) hands the engine the version it
        # walked with the applicant; the engine still checks that it is the one in force that day.
        self.row = Regulation.objects.defer("document").version_for(
            self.reg.service, self.reg.provider.code, day
        )

    def file(self):
        from qyzmet.engine import services
        from qyzmet.identity.numbers import generate_iin

        return services.file(
            service=self.reg.service,
            provider=self.provider,
            variant=VARIANT,
            channel="provider_office",
            applicant=generate_iin(),
            filed_at=self.filed,
            regulation=self.row,
        )

    def drive(self, filed, hooks=None) -> int:
        """Complete every step of the expected path; returns the number of steps completed."""
        from qyzmet.engine import services

        hooks = hooks or {}
        # The engine hands back each run it starts with the conclusion requests it opened, as a
        # client would learn them from the API's answer (SpiffWorkflow's harness finds its ready
        # task in memory).
        begun = filed.first
        moment = self.filed
        done = 0
        for step, outcome in self.path:
            run = begun.run
            assert run.step_id == step.id, (run.step_id, step.id)
            if step.requests_conclusion_from:
                # The bodies answer before the step can be completed (each its own transaction).
                for request in begun.conclusions:
                    with hooks.get("answer", _null)():
                        services.answer_conclusion(request.pk, "positive", by="body", at=moment)
            moment = moment + dt.timedelta(minutes=1)
            with hooks.get("complete", _null)():
                begun = services.advance(run.pk, self.staff[step.actor], outcome, at=moment)
            done += 1
            if begun is None:
                break
        assert begun is None, "the application did not end"
        return done


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def bench_engine(n: int, clients: int = 1) -> tuple[float, int, float]:
    driver = EngineDriver("engine")

    def work(count: int) -> int:
        return sum(driver.drive(driver.file()) for _ in range(count))

    steps, elapsed = run_clients(clients, work, n)
    return steps / elapsed, steps, elapsed


def bench_deliveries() -> tuple[int, float]:
    """The worker's part, after the timed runs: every event still waiting is handed to its
    subscribers (register entries, notices, the service centre), one delivery at a time in this
    process, as one Celery worker process would."""
    from qyzmet.outbox import delivery, subscribers
    from qyzmet.outbox.models import Event

    due = [
        (str(event_id), sub.name)
        for event_id, kind in Event.objects.filter(deliveries__isnull=True).values_list("id", "kind")
        for sub in subscribers.subscribers_of(kind)
    ]
    start = time.perf_counter()
    for event_id, name in due:
        delivery.deliver_now(event_id, name)
    return len(due), time.perf_counter() - start


def engine_shape() -> tuple[list[tuple[str, int]], int]:
    """How one application talks to the database, as the engine runs it: a list of round-trip
    groups, each ("read", 1) for a statement that only reads, ("write", 1) for a statement that
    commits on its own (autocommit) or ("tx", k) for a BEGIN ... COMMIT around k statements;
    and the number of steps."""
    from django.db import connection

    driver = EngineDriver("engine")
    driver.drive(driver.file())  # the first application on a new database also creates chain heads
    groups: list[list] = []

    def count(execute, sql, params, many, context):
        if connection.in_atomic_block:
            if not groups or groups[-1][0] != "tx" or groups[-1][2]:
                groups.append(["tx", 0, False])
            groups[-1][1] += 1
        else:
            reads = sql.lstrip().upper().startswith("SELECT")
            groups.append(["read" if reads else "write", 1, True])
        return execute(sql, params, many, context)

    commit = connection.commit

    def counting_commit():
        if groups and groups[-1][0] == "tx":
            groups[-1][2] = True  # the transaction ended; the next statement in one starts another
        return commit()

    connection.commit = counting_commit
    try:
        with connection.execute_wrapper(count):
            steps = driver.drive(driver.file())
    finally:
        del connection.commit
    return [(kind, k) for kind, k, _closed in groups], steps


def transactions_of(groups: list[tuple[str, int]]) -> int:
    """Durable changes: every group but a lone read commits."""
    return sum(1 for kind, _k in groups if kind != "read")


def describe_shape(groups: list[tuple[str, int]]) -> str:
    commits = transactions_of(groups)
    statements = sum(k for _kind, k in groups)
    alone = sum(1 for kind, _k in groups if kind == "write")
    return (
        f"{commits} transactions ({alone} of them one statement in autocommit), "
        f"{statements} statements, {len(groups)} round-trip groups"
    )


def bench_floor(
    url: str, groups: list[tuple[str, int]], steps: int, n: int, clients: int
) -> tuple[int, float]:
    """Steps/s of an engine that did nothing but the same database work: per application the same
    reads, autocommit statements and transactions, in the same order, as tiny statements from raw
    psycopg with no Python logic.

    No engine that talks to the database in this shape can go faster on this machine."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id bigserial PRIMARY KEY, a int, b text)")
    insert = "INSERT INTO bench_floor (a, b) VALUES (%s, %s)"

    def work(count: int) -> int:
        with psycopg.connect(url, autocommit=True, prepare_threshold=0) as conn:
            for _ in range(count):
                for kind, k in groups:
                    if kind == "read":
                        conn.execute("SELECT %s::int", [k]).fetchone()
                    elif kind == "write":
                        conn.execute(insert, [k, "x"])
                    else:
                        with conn.transaction():
                            for i in range(k):
                                conn.execute(insert, [i, "x"])
        return count * steps

    return run_clients(clients, work, n)  # (steps, seconds)


# SpiffWorkflow --------------------------------------------------------------------------------


def bench_spiff(n: int, roundtrip: bool = False, clients: int = 1) -> tuple[float, int, float, int]:
    """Steps/s of SpiffWorkflow persisting its serialized state after every task.

    With `roundtrip`, each task also starts by loading and deserializing the state, as a stateless
    web request would (the engine's complete_step reads its state from the database too).
    """
    from django.db import connection
    from lxml import etree
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    from qyzmet.regulations import bpmn
    from qyzmet.regulations.loader import catalogue

    reg = catalogue()[REGULATION]
    procedure = reg.procedure_for(VARIANT)
    xml = bpmn.to_bpmn_xml(reg, procedure.code)
    process_id = bpmn.build_graph(reg, procedure.code).process_id
    from qyzmet.engine import paths

    choices = {step.id: outcome for step, outcome in paths.walk(procedure, VARIANT) if outcome}
    by_task = {"t_" + bpmn._ncname(s): s for s in choices}

    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml.encode()), filename=f"{process_id}.bpmn")
    spec = parser.get_spec(process_id)  # parsed once, as a deployed process would be
    serializer = BpmnWorkflowSerializer()

    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {SPIFF_TABLE} ("
            " id bigserial PRIMARY KEY, state jsonb NOT NULL, updated timestamptz NOT NULL)"
        )

    # Each save is one statement on its own (autocommit: the statement is its transaction), the
    # cheapest durable save there is, as the engine's own changes are.
    def save_new(workflow) -> int:
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {SPIFF_TABLE} (state, updated) VALUES (%s, now()) RETURNING id",
                [serializer.serialize_json(workflow)],
            )
            return cur.fetchone()[0]

    def save(row_id: int, workflow) -> None:
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {SPIFF_TABLE} SET state = %s, updated = now() WHERE id = %s",
                [serializer.serialize_json(workflow), row_id],
            )

    def load(row_id: int):
        with connection.cursor() as cur:
            cur.execute(f"SELECT state::text FROM {SPIFF_TABLE} WHERE id = %s", [row_id])
            return serializer.deserialize_json(cur.fetchone()[0])

    size = 0

    def one_instance() -> int:
        nonlocal size
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        row_id = save_new(workflow)
        done = 0
        while not workflow.is_completed():
            if roundtrip:
                workflow = load(row_id)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                raise RuntimeError(f"{process_id}: stuck after {done} tasks")
            task = ready[0]
            step_id = by_task.get(task.task_spec.bpmn_id)
            if step_id is not None:
                task.data[bpmn.outcome_variable(step_id)] = choices[step_id]
            task.run()
            workflow.do_engine_steps()
            save(row_id, workflow)
            done += 1
        size = len(serializer.serialize_json(workflow))
        return done

    def work(count: int) -> int:
        return sum(one_instance() for _ in range(count))

    steps, elapsed = run_clients(clients, work, n)
    if clients > 1:
        one_instance()  # for the state's size, in this process
    return steps / elapsed, steps, elapsed, size


# pgbench --------------------------------------------------------------------------------------


def bench_pgbench(url: str, seconds: int) -> float | None:
    """tps of `pgbench -c 2 -j 2 -T seconds` on a small (-s 1) schema in its own database."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    conn = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    if parts.username:
        conn += ["-U", parts.username]
    try:
        ensure_database(with_db(url, PGBENCH_DB))
        subprocess.run(
            ["pgbench", *conn, "-i", "-s", "1", "-q", PGBENCH_DB],
            check=True,
            capture_output=True,
            env=env,
            timeout=120,
        )
        out = subprocess.run(
            ["pgbench", *conn, "-c", "2", "-j", "2", "-T", str(seconds), PGBENCH_DB],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            timeout=seconds + 120,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"pgbench_error={exc!r}")
        return None
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(
        r"tps = ([\d.]+)", out
    )
    return float(match.group(1)) if match else None


# Where the engine's time goes -----------------------------------------------------------------


class _Counted:
    """Counts queries and database time of the calls made inside it, per kind of call."""

    def __init__(self, stats: dict, kind: str):
        self.stats, self.kind = stats, kind

    def __enter__(self):
        from django.db import connection

        self.cm = connection.execute_wrapper(self._wrap)
        self.cm.__enter__()
        self.start = time.perf_counter()
        self.queries, self.db = 0, 0.0
        return self

    def _wrap(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.db += time.perf_counter() - t
            self.queries += 1

    def __exit__(self, *exc):
        total = time.perf_counter() - self.start
        self.cm.__exit__(*exc)
        s = self.stats.setdefault(self.kind, [0, 0, 0.0, 0.0])
        s[0] += 1
        s[1] += self.queries
        s[2] += self.db
        s[3] += total
        return False


def profile_engine(n: int) -> None:
    driver = EngineDriver("profile")
    stats: dict = {}
    hooks = {
        "answer": lambda: _Counted(stats, "answer_conclusion"),
        "complete": lambda: _Counted(stats, "complete_step"),
    }
    driver.drive(driver.file())
    for _ in range(n):
        with _Counted(stats, "file_application"):
            app = driver.file()
        driver.drive(app, hooks)
    print(f"# where the time goes: {n} applications, queries and database time per call")
    for kind, (calls, queries, db, total) in stats.items():
        print(
            f"profile_{kind}: calls={calls} queries_per_call={queries / calls:.1f} "
            f"ms_per_call={1000 * total / calls:.2f} db_share={db / total:.0%}"
        )
    # One complete_step's statements, so the next person sees what each step asks of the database.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run = driver.file().first.run
    step, outcome = driver.path[0]
    with CaptureQueriesContext(connection) as ctx:
        from qyzmet.engine import services

        services.complete_step(run.pk, driver.staff[step.actor], outcome, at=driver.filed)
    print(f"# the statements of one complete_step ({len(ctx.captured_queries)}):")
    for q in ctx.captured_queries:
        print("  " + _shorten(q["sql"]))

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(n):
        driver.drive(driver.file())
    profiler.disable()
    wall = time.perf_counter() - start
    ps = pstats.Stats(profiler)
    print(f"# cProfile of {n} applications ({wall:.2f} s under the profiler); shares overlap:")
    for label, pattern in BUCKETS:
        share = cumulative(ps, pattern) / wall
        print(f"profile_share {label}: {share:.0%}")
    out = io.StringIO()
    ps.stream = out
    ps.sort_stats("cumulative").print_stats(r"qyzmet", 10)
    lines = out.getvalue().splitlines()
    first = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    print("# top 10 qyzmet functions by cumulative time:")
    print("\n".join(line.replace(str(ROOT) + "/", "") for line in lines[first:] if line.strip()))

    # What re-reading the regulation costs on every step (complete_step selects the whole row).
    from qyzmet.regulations.models import Regulation

    reg_id = driver.row.pk
    start = time.perf_counter()
    for _ in range(50):
        Regulation.objects.get(pk=reg_id).parsed  # noqa: B018 (the cost is the point)
    reload_ms = (time.perf_counter() - start) * 1000 / 50
    print(
        f"regulation_reload_and_parse_ms={reload_ms:.2f}  (a cache miss; steps reuse the document parsed once per process)"
    )


# (label, regex on "file:function") whose cumulative time is summed; nested calls are not.
BUCKETS = [
    ("audit entries (JSON, digest, chain parameters)", r"audit/log\.py:(new_entry|chain_params)$"),
    ("Regulation.parsed (pydantic validation of the document)", r"regulations/models\.py:parsed$"),
    ("round trips to PostgreSQL (psycopg execute)", r"psycopg/cursor\.py:execute$"),
    ("COMMIT (psycopg commit; changes of one statement commit within it)", r"psycopg/connection\.py:commit$"),
    (
        "paths.due_of + rules_for + working minutes (calendar, law)",
        r"(engine/(paths\.py:due_of|law\.py:rules_for)|workcal\.py:working_minutes_between)$",
    ),
    (
        "outbox (the event's parameters, queuing its deliveries)",
        r"outbox/(events|subscribers)\.py:(cte_params|publish)$",
    ),
]


def _shorten(sql: str, width: int = 150) -> str:
    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r"SELECT (.{60}).*? FROM", r"SELECT \1... FROM", sql)
    return sql if len(sql) <= width else sql[: width - 3] + "..."


# Main -----------------------------------------------------------------------------------------


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="applications / workflow instances per run")
    ap.add_argument("--profile-n", type=int, default=20, help="applications in the profile section")
    ap.add_argument("--pgbench-seconds", type=int, default=10)
    ap.add_argument("--no-pgbench", action="store_true")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument(
        "--rounds", type=int, default=5, help="turns the engine and its baselines take (load drift)"
    )
    ap.add_argument(
        "--clients", type=int, default=2, help="processes at once, as pgbench -c 2 (1 = one only)"
    )
    args = ap.parse_args(argv)

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"bench/engine.py needs PostgreSQL; DATABASE_URL is {url}")
    ensure_database(url)
    setup_django(url)

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# host: {os.cpu_count()} CPUs, load average {load} (other load makes these figures noisy)")
    groups, steps_per_app = engine_shape()
    transactions = transactions_of(groups)
    shape = describe_shape(groups)
    print(
        f"# one application of {REGULATION} ({VARIANT}, approve path): {steps_per_app} steps, {shape} "
        "(filing, conclusion answers, steps; the register entry and notices follow in a worker, "
        "as the engine's events' deliveries below)"
    )
    results = {}
    bare = [("write", 1)] * transactions
    for clients in sorted({1, args.clients}):
        tag = "" if clients == 1 else f"_c{clients}"
        # The four runs take turns in rounds, in alternating order, so that a change in the load
        # of a shared machine falls on each of them alike and their ratios stay fair.
        totals = {"engine": [0, 0.0], "spiff": [0, 0.0], "floor": [0, 0.0], "bare": [0, 0.0]}
        size = 0
        rounds = max(1, min(args.rounds, args.n))
        for r in range(rounds):
            count = args.n // rounds + (1 if r < args.n % rounds else 0)
            runs = [
                ("engine", lambda c=count, k=clients: bench_engine(c, k)[1:]),
                ("spiff", lambda c=count, k=clients: bench_spiff(c, clients=k)[1:]),
                ("floor", lambda c=count, k=clients: bench_floor(url, groups, steps_per_app, c, k)),
                ("bare", lambda c=count, k=clients: bench_floor(url, bare, steps_per_app, c, k)),
            ]
            for name, run in runs if r % 2 == 0 else reversed(runs):
                done, seconds, *extra = run()
                totals[name][0] += done
                totals[name][1] += seconds
                size = extra[0] if extra else size
        engine_steps, engine_s = totals["engine"]
        spiff_steps, spiff_s = totals["spiff"]
        engine_rate, spiff_rate = engine_steps / engine_s, spiff_steps / spiff_s
        floor_rate = totals["floor"][0] / totals["floor"][1]
        bare_rate = totals["bare"][0] / totals["bare"][1]
        results[clients] = engine_rate
        print(
            f"# {clients} client(s): {args.n} applications / workflow instances each, in {rounds} rounds "
            "taking turns"
        )
        print(f"engine_steps{tag}={engine_steps} seconds={engine_s:.2f}")
        print(f"engine_steps_per_s{tag}={engine_rate:.1f}")
        print(
            f"spiff_steps_per_s{tag}={spiff_rate:.1f}  (state of {size} bytes of JSON saved after each task: "
            f"{spiff_steps // args.n + 1} transactions per instance)"
        )
        print(f"ratio{tag}={engine_rate / spiff_rate:.2f}  (target >= 2)")
        print(
            f"floor_steps_per_s{tag}={floor_rate:.1f}  (the same {shape} per application with no logic: "
            "the most any engine talking to the database in this shape reaches here)"
        )
        print(
            f"engine_share_of_floor{tag}={engine_rate / floor_rate:.2f} floor_ratio_to_spiff{tag}={floor_rate / spiff_rate:.2f}"
            "  (target: share >= 0.5)"
        )
        print(
            f"bare_commit_steps_per_s{tag}={bare_rate:.1f} bare_commit_ratio_to_spiff{tag}={bare_rate / spiff_rate:.2f}"
            f"  ({transactions} one-INSERT statements in autocommit per application: no engine that commits "
            "each filing, answer and step on its own can pass this)"
        )
    delivered, delivery_s = bench_deliveries()
    print(
        f"deliveries={delivered} seconds={delivery_s:.2f} deliveries_per_s={delivered / max(delivery_s, 1e-9):.1f}"
        "  (a worker's part after the timed runs, one process: register entries, notices, the centre)"
    )
    rt_rate, _, _, _ = bench_spiff(max(args.n // 4, 10), roundtrip=True)
    print(
        f"spiff_roundtrip_steps_per_s={rt_rate:.1f} ratio_roundtrip={results[1] / rt_rate:.2f}"
        "  (1 client; also loading + deserializing the state before each task, as a stateless request would)"
    )

    if not args.no_pgbench:
        tps = bench_pgbench(url, args.pgbench_seconds)
        if tps:
            engine_rate = results[args.clients]
            print(f"pgbench_tps={tps:.1f}  (pgbench -c 2 -j 2 -T {args.pgbench_seconds}, scale 1)")
            print(
                f"share_of_pgbench={engine_rate / tps:.3f}  (engine at {args.clients} client(s); target >= 0.5)"
            )

    if not args.no_profile:
        profile_engine(args.profile_n)


if __name__ == "__main__":
    main()
