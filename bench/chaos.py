"""Chaos benchmark: signed submissions under load while a web worker, PostgreSQL or the gateway fails.

The set-up is the production topology of the Procfile on one machine, on loopback only:

* PostgreSQL, in a database of its own (DATABASE_URL, default .../qyzmet_chaos), dropped and
  created afresh by each run of this bench, migrated and loaded with the catalogue;
* the gateway simulators as their own gunicorn service (payments in their own SQLite store in a
  temporary directory, so they survive the gateway's restart, as the real gateway's would);
* the app under gunicorn, --workers threaded processes (gthread), as bench/portal.py serves it.

Signed requests with a paid fee each (bench/overload.py's way: one key per --per-key requests,
a nonce each, so each is its own signed request and its own payment) are made before the clock
starts. Then, on the same servers, one timed run each (--seconds of load, at most 30):

* baseline: no fault;
* kill_worker: `kill -9` of one gunicorn web worker a third of the way in (the master forks a
  new one);
* restart_postgresql: `pg_ctlcluster --skip-systemctl-redirect <version> main restart`, as
  .ci/run starts it, then wait until `pg_isready` answers;
* stop_gateway: the gateway service is stopped (SIGTERM) for --gateway-down seconds, then
  started again on the same port.

Clients are closed loops on kept-alive connections, as a real client would behave: a request
answered 202 (waiting), 503 (shed or unavailable) or not answered (connection refused or reset,
timeout) is re-sent after a growing pause, --attempts times at most; the signed request is its
own idempotency key, so a re-sent one that was filed answers with the same application. New
requests are taken for --seconds; requests in flight then get --grace seconds more to finish.

Printed after each run, as `name=value` lines:

* acknowledged: signed requests answered 201 (each with its application number);
* stored: of those, the ones whose application is in the database;
* lost: acknowledged but not stored;
* duplicates: applications beyond the first for one signed request, counted both from the
  answers (two numbers for one request) and from the database (this run's applicants have more
  applications than signed requests filed);
* unfinished: requests still without a final answer when the attempts ran out (the default
  bound, about 45 s of re-sending, outlasts the gateway client's 30 s circuit-breaker cool-down);
* errors: requests whose final answer was neither 201 nor one re-sent (a 500, a 422 refusal),
  with the server's logged reasons for its 500s as comment lines;
* filed_unacknowledged: requests filed in the database whose client never saw the 201 (an
  error answer after the filing committed): not lost, a re-post answers with the application;
* audit_ok / register_ok: `python -m qyzmet audit verify` / `registry verify` exit 0;
* throughput_per_s and ratio: acknowledged per second of load, and its ratio to the baseline's.

    .venv/bin/python bench/chaos.py [--seconds 15] [--clients 16] [--workers 2] [--threads 16]
    .venv/bin/python bench/chaos.py --only baseline kill_worker   # some of the runs
    .venv/bin/python bench/chaos.py --retry-500   # clients re-send a 500 too

It restarts the PostgreSQL cluster it runs against: every other connection to it is cut for a
few seconds. Needs the right to run pg_ctlcluster (root or the postgres user).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import portal  # noqa: E402
from common import DEFAULT_URL, with_db  # noqa: E402
from portal import HOST, SUBMIT, TODAY, SignedRequests, free_port  # noqa: E402

RUNS = ("baseline", "kill_worker", "restart_postgresql", "stop_gateway")
RETRIED = (0, 202, 503)  # 0: no answer (refused, reset, timed out)


def recreate_database(url: str) -> None:
    """Drop and create the bench's own database, so each run of the bench starts empty."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drive(
    port: int, items: list, clients: int, seconds: float, grace: float, attempts: int, fault, retried=RETRIED
) -> dict:
    """Closed-loop clients posting `items` (key, (headers, body)), re-sending on a status in
    `retried`; `fault()` runs in its own thread a third of the way into the load."""
    pool = list(reversed(items))
    lock = threading.Lock()
    r = {
        "statuses": {},
        "final_statuses": {},
        "filed": [],
        "final": set(),
        "taken": set(),
        "sent": 0,
        "fault": "",
    }
    start = time.monotonic()
    stop_taking, give_up = start + seconds, start + seconds + grace

    def client() -> None:
        conn = None
        while time.monotonic() < stop_taking:
            with lock:
                if not pool:
                    return
                key, (headers, body) = pool.pop()
                r["taken"].add(key)
            for attempt in range(attempts):
                application = None
                try:
                    conn = conn or http.client.HTTPConnection(HOST, port, timeout=10)
                    conn.request("POST", SUBMIT, body=body, headers=headers)
                    response = conn.getresponse()
                    content = response.read()
                    status = response.status
                    if status == 201:
                        application = json.loads(content)["application"]
                except (OSError, http.client.HTTPException, ValueError, KeyError):
                    if conn is not None:
                        conn.close()
                    status, conn = 0, None
                with lock:
                    r["sent"] += 1
                    r["statuses"][status] = r["statuses"].get(status, 0) + 1
                    if application:
                        r["filed"].append((key, application))
                    if status not in retried:
                        r["final"].add(key)
                        r["final_statuses"][status] = r["final_statuses"].get(status, 0) + 1
                if status not in retried or time.monotonic() > give_up:
                    break
                time.sleep(min(2.0, 0.1 * 2**attempt))  # backing off, as a client honouring Retry-After
        if conn is not None:
            conn.close()

    def inject() -> None:
        time.sleep(seconds / 3)
        began = time.monotonic()
        r["fault"] = fault() or ""
        r["fault"] += f" (at {began - start:.1f} s, took {time.monotonic() - began:.1f} s)"

    threads = [threading.Thread(target=client) for _ in range(clients)]
    injector = threading.Thread(target=inject) if fault else None
    for t in threads:
        t.start()
    if injector:
        injector.start()
    for t in threads:
        t.join()
    if injector:
        injector.join()
    r["load_seconds"] = min(seconds, time.monotonic() - start)
    r["wall"] = time.monotonic() - start
    r["exhausted"] = not pool
    return r


def server_errors(log: Path, offset: int) -> tuple[Counter, int]:
    """The 500s the web server logged (structured JSON lines) after `offset`, by the last line
    of their exception; and the log's new end."""
    reasons: Counter = Counter()
    with log.open(encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("code") == 500:
                lines = str(event.get("exception", "")).strip().splitlines() or [str(event.get("event"))]
                raised = [line for line in lines if not line.startswith((" ", "\t")) and "Error" in line]
                reasons[(raised or lines)[-1].strip()[:160]] += 1
        return reasons, f.tell()


def report(
    name: str, r: dict, group: SignedRequests, env: dict, baseline_rate: float | None, reasons: Counter
) -> float:
    from django.db import connections

    from qyzmet.engine.models import Application

    connections.close_all()  # PostgreSQL may have been restarted under this process's connection
    acknowledged = {}
    for key, number in r["filed"]:
        acknowledged.setdefault(key, set()).add(number)
    numbers = {n for ns in acknowledged.values() for n in ns}
    stored = set(Application.objects.filter(number__in=numbers).values_list("number", flat=True))
    answered_twice = sum(len(ns) - 1 for ns in acknowledged.values())
    iins = {group.iins[k] for k in r["taken"]}
    rows = Application.objects.filter(applicant__in=iins)
    in_db = rows.count()
    # one payment per signed request, and Application.payment_id is unique: distinct payments
    # are distinct signed requests filed
    requests_filed = rows.exclude(payment_id=None).values("payment_id").distinct().count()
    unpaid = rows.filter(payment_id=None).count()
    duplicates = max(answered_twice, in_db - requests_filed)
    unfinished = len(r["taken"] - r["final"])
    errors = sum(n for status, n in r["final_statuses"].items() if status != 201)
    audit = subprocess.run(
        [sys.executable, "-m", "qyzmet", "audit", "verify"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    register = subprocess.run(
        [sys.executable, "-m", "qyzmet", "registry", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    rate = len(acknowledged) / r["load_seconds"]
    print(f"# {name}: {r['fault'] or 'no fault'}")
    print(
        f"# {name}: sent={r['sent']} taken={len(r['taken'])} wall_s={r['wall']:.1f} "
        f"statuses={dict(sorted(r['statuses'].items()))} applications_in_db={in_db} without_payment={unpaid}"
        + ("  (ran out of signed requests: raise --m)" if r["exhausted"] else "")
    )
    for reason, count in reasons.most_common(5):
        print(f"# {name}: server 500 x{count}: {reason}")
    for stream in (audit, register):
        if stream.returncode:
            print(f"# {name}: {stream.stdout.strip()} {stream.stderr.strip()[-400:]}")
    print(f"run={name}")
    print(f"acknowledged={len(acknowledged)}")
    print(f"stored={len(stored & numbers)}")
    print(f"lost={len(numbers - stored)}")
    print(f"duplicates={duplicates}")
    print(f"unfinished={unfinished}")
    print(f"errors={errors}")
    print(f"filed_unacknowledged={requests_filed - len(acknowledged)}")
    print(f"audit_ok={audit.returncode == 0}")
    print(f"register_ok={register.returncode == 0}")
    print(f"throughput_per_s={rate:.1f}")
    if baseline_rate:
        print(f"ratio={rate / baseline_rate:.2f}")
    sys.stdout.flush()
    return rate


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def pg_version() -> str:
    return os.environ.get("QYZMET_PG_VERSION") or sorted(os.listdir("/etc/postgresql"))[0]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0, help="seconds of load per run (30 at most)")
    ap.add_argument("--grace", type=float, default=45.0, help="seconds more for requests in flight")
    ap.add_argument("--clients", type=int, default=16, help="client threads")
    ap.add_argument("--workers", type=int, default=2, help="web server processes")
    ap.add_argument("--threads", type=int, default=16, help="threads per web server process")
    ap.add_argument("--m", type=int, default=2000, help="signed requests made beforehand per run")
    ap.add_argument("--per-key", type=int, default=50, help="signed requests per applicant key")
    ap.add_argument("--attempts", type=int, default=30, help="sends of one request at most")
    ap.add_argument("--gateway-down", type=float, default=4.0, help="seconds the gateway stays stopped")
    ap.add_argument(
        "--retry-500", action="store_true", help="clients re-send on 500 too (not what the issue asks)"
    )
    ap.add_argument("--only", nargs="+", choices=RUNS, default=list(RUNS), help="the runs to make")
    args = ap.parse_args(argv)
    args.seconds = min(args.seconds, 30.0)

    url = os.environ.get("DATABASE_URL", with_db(DEFAULT_URL, "qyzmet_chaos"))
    parts = urlsplit(url)
    if not url.startswith(("postgres://", "postgresql://")) or parts.hostname not in (
        "127.0.0.1",
        "localhost",
    ):
        sys.exit(f"bench/chaos.py needs PostgreSQL on loopback; DATABASE_URL is {url}")
    recreate_database(url)

    workdir = tempfile.TemporaryDirectory(prefix="qyzmet-bench-chaos-")
    gateway_port, app_port = free_port(), free_port()
    env = dict(
        os.environ,
        DATABASE_URL=url,
        QYZMET_TODAY=TODAY,
        QYZMET_PKI_DIR=str(Path(workdir.name) / "pki"),
        QYZMET_PAYMENTS_STORE=str(Path(workdir.name) / "payments.sqlite3"),
        QYZMET_GATEWAY_URL=f"http://{HOST}:{gateway_port}",
        QYZMET_DEBUG="0",
        QYZMET_SECRET_KEY=os.environ.get("QYZMET_SECRET_KEY", "bench-" + os.urandom(16).hex()),
        QYZMET_LOG_LEVEL="ERROR",
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    os.environ.update(env)
    servers: dict[str, subprocess.Popen] = {}
    web_log = Path(workdir.name) / "web.log"  # the servers' logs: their 500s are counted per run
    gateway_log = Path(workdir.name) / "gateway.log"

    def start_gateway() -> None:
        servers["gateway"] = portal.start_gateway(
            gateway_port, env, stdout=gateway_log.open("a"), stderr=subprocess.STDOUT
        )

    def kill_worker() -> str:
        victim = worker_pids(servers["web"].pid)[0]
        os.kill(victim, signal.SIGKILL)
        return f"kill -9 of web worker {victim}"

    def restart_postgresql() -> str:
        version = pg_version()
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            check=True,
            capture_output=True,
        )
        for _ in range(60):
            ready = subprocess.run(["pg_isready", "-h", HOST, "-p", str(parts.port or 5432), "-q"])
            if ready.returncode == 0:
                break
            time.sleep(0.5)
        return f"PostgreSQL {version} restarted, pg_isready answers"

    def stop_gateway() -> str:
        gateway = servers["gateway"]
        gateway.terminate()
        gateway.wait(timeout=30)
        time.sleep(args.gateway_down)
        start_gateway()
        return f"gateway stopped {args.gateway_down:.0f} s and started again"

    faults = {
        "baseline": None,
        "kill_worker": kill_worker,
        "restart_postgresql": restart_postgresql,
        "stop_gateway": stop_gateway,
    }
    try:
        start_gateway()
        portal.setup_django()
        from qyzmet.pki.ca import CertificationCentre

        centre = CertificationCentre.default().ensure()
        servers["web"] = portal.start_app(
            app_port, args.workers, args.threads, env, stdout=web_log.open("w"), stderr=subprocess.STDOUT
        )

        started = time.perf_counter()
        seed = int(time.time()) % 1_000_000 * 1000
        warm = SignedRequests(centre, 2 * args.clients, seed, args.per_key, label="chaos")
        groups = {
            name: SignedRequests(centre, args.m, seed + 100 * (i + 1), args.per_key, label="chaos")
            for i, name in enumerate(args.only)
        }
        print(f"# host: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"# servers: gunicorn {args.workers} web processes x {args.threads} threads on PostgreSQL "
            f"{pg_version()} ({urlsplit(url).path.lstrip('/')}), gateway service on its own port; "
            f"{args.clients} clients, {args.seconds:.0f} s of load per run, "
            f"{len(groups) * args.m} signed requests made in {time.perf_counter() - started:.1f} s (not timed)"
        )
        drive(app_port, list(enumerate(warm.items)), args.clients, 60, 5, args.attempts, None)  # warm-up
        baseline_rate = None
        _, offset = server_errors(web_log, 0)
        for name, group in groups.items():
            result = drive(
                app_port,
                list(enumerate(group.items)),
                args.clients,
                args.seconds,
                args.grace,
                args.attempts,
                faults[name],
                RETRIED + (500,) if args.retry_500 else RETRIED,
            )
            reasons, offset = server_errors(web_log, offset)
            rate = report(name, result, group, env, baseline_rate, reasons)
            if name == "baseline":
                baseline_rate = rate
    finally:
        portal.stop(servers.values())
        workdir.cleanup()


if __name__ == "__main__":
    main()
