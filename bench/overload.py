"""Overload benchmark: signed submissions at ten times the server's capacity, shed or served.

Admission control (qyzmet/edge/middleware.py) bounds the state-changing requests in progress per
server process; past the bound a request waits QYZMET_ADMISSION_WAIT_MS at most and is then
answered 503 with Retry-After, having read and stored nothing. This measures whether the
requests it admits keep their latency when ten times more clients push than it can serve.

Set-up as bench/portal.py (PostgreSQL, the gateway simulators as their own gunicorn service, the
app under gunicorn with threaded workers, the demo clock), reusing its pieces. Signed requests
with a paid fee each (made before the clock starts, SignedRequests) are posted to
/api/v1/portal/submissions by closed-loop clients on kept-alive connections, in two timed runs
on the same server:

* nominal: half as many clients as the server admits at once (--workers x
  QYZMET_ADMISSION_WRITES / 2), so that none waits for a slot: the latency of a server at ease;
* overload: --factor clients per slot (40: 160 clients for 2 processes x 2 slots), each
  re-sending a refused request after --pause seconds (a client that honoured Retry-After would
  back off further and press less); the offered rate is printed as a multiple of the rate the
  server admits at saturation (its capacity), and is meant to be about 10x.

A request that timed out or failed is re-sent too: the signed request is its own idempotency
key, so a re-sent one that had been filed answers with the same application.

Printed: each run's admitted p50/p99, throughput and statuses; then `admitted_p99_ms=`,
`shed_share=`, `errors=` for the overload run, the nominal `baseline_p99_ms=` and their `ratio=`,
and `acknowledged=`, `stored=`, `lost=`, `duplicates=`: every 201 answer's application must be in
the database, once per signed request.

    .venv/bin/python bench/overload.py [--seconds 20] [--factor 40] [--workers 2] [--threads 16] [--writes 2]
    .venv/bin/python bench/overload.py --no-admission   # the same load with admission control off

Target from the issue: admitted p99 under 1 s at 10x overload, errors=0, nothing acknowledged lost.
Benchmark rows are left behind in DATABASE_URL (default .../qyzmet_overload).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import portal  # noqa: E402
from common import DEFAULT_URL, ensure_database, with_db  # noqa: E402
from portal import (  # noqa: E402
    HOST,
    SUBMIT,
    TODAY,
    SignedRequests,
    free_port,
    percentile,
)


def drive(port: int, payloads: list, clients: int, seconds: float, pause: float, timeout: float) -> dict:
    """Closed-loop clients posting `payloads` (headers, body) for `seconds`; a payload is taken
    from the pool, re-sent until it gets a final answer (not 503, not a failure), then dropped."""
    pool = list(reversed(payloads))
    lock = threading.Lock()
    results = {"latency": {}, "statuses": {}, "filed": [], "done": set(), "sent": 0}
    stop_at = time.monotonic() + seconds

    def record(status: int, took: float, application: str | None, key: int) -> None:
        with lock:
            results["sent"] += 1
            results["statuses"][status] = results["statuses"].get(status, 0) + 1
            results["latency"].setdefault(status, []).append(took)
            if application:
                results["filed"].append((key, application))
            if status not in (0, 503):
                results["done"].add(key)

    def client() -> None:
        conn, item = None, None
        while time.monotonic() < stop_at:
            if item is None:
                with lock:
                    if not pool:
                        return
                    item = pool.pop()
            key, (headers, body) = item
            start = time.perf_counter()
            application = None
            try:
                conn = conn or http.client.HTTPConnection(HOST, port, timeout=timeout)
                conn.request("POST", SUBMIT, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
                if status == 201:
                    application = json.loads(content)["application"]
            except (OSError, http.client.HTTPException, ValueError, KeyError):
                status, conn = 0, None
            record(status, time.perf_counter() - start, application, key)
            if status in (0, 503):
                time.sleep(pause)  # the same signed request again: it is its own idempotency key
            else:
                item = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results["wall"] = time.perf_counter() - started
    results["exhausted"] = not pool
    return results


def summary(label: str, clients: int, r: dict) -> float:
    admitted = r["latency"].get(201, [])
    p99 = 1000 * percentile(admitted, 99)
    print(
        f"{label}: clients={clients} seconds={r['wall']:.1f} sent={r['sent']} "
        f"offered_per_s={r['sent'] / r['wall']:.1f} admitted_per_s={len(admitted) / r['wall']:.1f} "
        f"admitted_p50_ms={1000 * percentile(admitted, 50):.1f} admitted_p99_ms={p99:.1f} "
        f"shed_p99_ms={1000 * percentile(r['latency'].get(503, []), 99):.1f} "
        f"statuses={dict(sorted(r['statuses'].items()))}"
        + ("  (ran out of signed requests: raise --m)" if r["exhausted"] else "")
    )
    return p99


def check_stored(runs: list[dict]) -> None:
    """Every acknowledged (201) application is in the database, and each signed request was
    filed as one application however often it was re-sent."""
    from qyzmet.engine.models import Application

    acknowledged = {}
    for r in runs:
        for key, number in r["filed"]:
            acknowledged.setdefault(key, set()).add(number)
    numbers = {n for ns in acknowledged.values() for n in ns}
    stored = set(Application.objects.filter(number__in=numbers).values_list("number", flat=True))
    duplicates = sum(len(ns) - 1 for ns in acknowledged.values())
    print(
        f"acknowledged={len(numbers)} stored={len(stored)} lost={len(numbers - stored)} duplicates={duplicates}"
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="length of the overload run")
    ap.add_argument("--nominal-seconds", type=float, default=10.0, help="length of the nominal run")
    ap.add_argument("--factor", type=int, default=40, help="overload clients per admitted slot")
    ap.add_argument("--workers", type=int, default=2, help="server processes")
    ap.add_argument("--threads", type=int, default=16, help="threads per server process")
    ap.add_argument("--writes", type=int, default=2, help="QYZMET_ADMISSION_WRITES per process")
    ap.add_argument(
        "--no-admission", action="store_true", help="turn admission control off (the same clients)"
    )
    ap.add_argument("--wait-ms", type=int, default=50, help="QYZMET_ADMISSION_WAIT_MS")
    ap.add_argument("--m", type=int, default=2000, help="signed requests made beforehand (the pool)")
    ap.add_argument("--pause", type=float, default=0.25, help="seconds before a refused request is re-sent")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    args = ap.parse_args(argv)

    url = os.environ.get("DATABASE_URL", with_db(DEFAULT_URL, "qyzmet_overload"))
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"bench/overload.py needs PostgreSQL; DATABASE_URL is {url}")
    ensure_database(url)

    workdir = tempfile.TemporaryDirectory(prefix="qyzmet-bench-overload-")
    gateway_port, app_port = free_port(), free_port()
    env = dict(
        os.environ,
        DATABASE_URL=url,
        QYZMET_TODAY=TODAY,
        QYZMET_PKI_DIR=str(Path(workdir.name) / "pki"),
        QYZMET_GATEWAY_URL=f"http://{HOST}:{gateway_port}",
        QYZMET_DEBUG="0",
        QYZMET_SECRET_KEY=os.environ.get("QYZMET_SECRET_KEY", "bench-" + os.urandom(16).hex()),
        QYZMET_LOG_LEVEL="WARNING",  # the access log of ~10,000 requests is not what is measured
        QYZMET_ADMISSION_WRITES="0" if args.no_admission else str(args.writes),
        QYZMET_ADMISSION_WAIT_MS=str(args.wait_ms),
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    os.environ.update(env)
    children = []
    try:
        children.append(portal.start_gateway(gateway_port, env))
        portal.setup_django()

        from qyzmet.pki.ca import CertificationCentre

        centre = CertificationCentre.default().ensure()
        children.append(portal.start_app(app_port, args.workers, args.threads, env))

        slots = args.workers * args.writes
        seed = int(time.time()) % 1_000_000 * 1000 + 500
        started = time.perf_counter()
        warm = SignedRequests(centre, slots * 2, seed, per_key=20, label="overload")
        pool = SignedRequests(centre, args.m, seed + 1000, per_key=20, label="overload")
        print(f"# host: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"# server: gunicorn {args.workers} processes x {args.threads} threads; admission "
            + ("off" if args.no_admission else f"{args.writes} writes per process, wait {args.wait_ms} ms")
            + "; PostgreSQL; gateway over HTTP; "
            f"{args.m} signed requests made in {time.perf_counter() - started:.1f} s (not timed)"
        )

        def payloads(group, start=0):
            return list(enumerate(group.items, start))

        drive(app_port, payloads(warm, -len(warm.payloads)), slots, 60, args.pause, args.timeout)  # warm-up
        items = payloads(pool)
        calm = max(1, slots // 2)
        nominal = drive(app_port, items, calm, args.nominal_seconds, args.pause, args.timeout)
        baseline = summary("nominal", calm, nominal)
        left = [item for item in items if item[0] not in nominal["done"]]
        clients = slots * args.factor
        overload = drive(app_port, left, clients, args.seconds, args.pause, args.timeout)
        admitted = summary("overload", clients, overload)
        capacity = max(len(r["latency"].get(201, [])) / r["wall"] for r in (nominal, overload))
        offered = overload["sent"] / overload["wall"]
        print(f"# offered {offered / capacity:.1f}x the capacity ({capacity:.1f} admitted/s at most)")
        total = overload["sent"]
        errors = sum(n for status, n in overload["statuses"].items() if status not in (201, 503))
        print(
            f"admitted_p99_ms={admitted:.1f} shed_share={overload['statuses'].get(503, 0) / total:.3f} "
            f"errors={errors} baseline_p99_ms={baseline:.1f} ratio={admitted / baseline:.2f}"
        )
        check_stored([nominal, overload])
        met = admitted < 1000 and errors == 0
        print(f"target admitted p99 < 1 s at ~10x overload, errors=0: {'met' if met else 'NOT met'}")
    finally:
        portal.stop(children)
        workdir.cleanup()


if __name__ == "__main__":
    main()
