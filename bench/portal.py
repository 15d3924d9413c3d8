"""Portal benchmark: signed submissions posted concurrently over HTTP, against a baseline of GETs.

The set-up is what production looks like on one machine, scaled down:

* PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/qyzmet_bench; created,
  migrated, loaded with the catalogue and seeded with providers when needed);
* the gateway simulators as their own HTTP service (`qyzmet.gateway.server:create_app()` under
  gunicorn, one process: conclusions are kept in memory, payments in their own SQLite file), which the app reaches through
  QYZMET_GATEWAY_URL;
* the app served as production serves it: gunicorn, --workers processes of --threads threads
  (gthread, so every thread keeps its database connection), HTTP/1.1 keep-alive;
* the demo clock on QYZMET_TODAY=2015-10-14, when the Almaty medical licence was in force.

M applicants (ordinary IINs), each with a signing key of a test certification centre in a
temporary directory and a paid licence fee, have their requests signed (detached CMS, as the
portal's page and NCALayer sign them) before the clock starts;
then C client threads POST them to /api/v1/portal/submissions (localhost only, each thread on one
kept-alive connection, each request with a timeout, the whole run with a deadline). The baseline is the same number of GETs of
/api/v1/portal/me/applications by the same applicants on the same server (token check, one
query): what any authenticated API call costs here. Last, one submission's server-side work is
profiled in this process (cProfile over --profile-n submissions through Django's test client,
the same database and gateway service).

Target from the issue: 300 submissions/s with p99 under 250 ms on 2 cores.

    .venv/bin/python bench/portal.py [--m 300] [--concurrency 16] [--workers 2] [--threads 8]

Benchmark rows (users, tokens, applications) are left behind: do not point it at a database you
care about.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402
from common import DEFAULT_URL, cumulative, ensure_database  # noqa: E402

TODAY = "2015-10-14"
REGULATION = "almaty-2015-2-279/medical-licence"
VARIANT = "issue"
SUBMIT = "/api/v1/portal/submissions"
BASELINE = "/api/v1/portal/me/applications"
MINIMAL = "/minimal"
HOST = "127.0.0.1"


# The servers (their own processes) -----------------------------------------------------------


def gunicorn(target: str, port: int, workers: int, threads: int) -> list[str]:
    """The command that serves a WSGI app as production does: gunicorn, threaded workers (each
    thread keeps its database connection), HTTP/1.1 keep-alive."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        target,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--backlog",
        "1024",
        "--log-level",
        "warning",
    ]


# Set-up of this process -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def start_gateway(port: int, env: dict, **output) -> subprocess.Popen:
    """The state-database simulators as their own service, one process (payments are kept in its
    store, the rest in memory), answering before this returns."""
    child = subprocess.Popen(
        gunicorn("qyzmet.gateway.server:create_app()", port, 1, 16),
        cwd=ROOT,
        env=env,
        **(output or {"stdout": subprocess.DEVNULL}),
    )
    wait_for(port, "/health")
    return child


def start_app(port: int, workers: int, threads: int, env: dict, **output) -> subprocess.Popen:
    """The platform under gunicorn, answering before this returns."""
    child = subprocess.Popen(
        gunicorn("qyzmet.wsgi:application", port, workers, threads), cwd=ROOT, env=env, **output
    )
    wait_for(port, "/api/v1/openapi.json")
    return child


def start_minimal(port: int, workers: int, threads: int, env: dict, **output) -> subprocess.Popen:
    """The baseline: one Django JSON view and nothing else (bench/minimal_app.py), under the same
    gunicorn command, answering before this returns."""
    command = gunicorn("minimal_app:application", port, workers, threads)
    child = subprocess.Popen(
        [*command, "--pythonpath", str(ROOT / "bench")],
        cwd=ROOT,
        env={k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"},
        **output,
    )
    wait_for(port, MINIMAL)
    return child


def stop(children) -> None:
    """Stop the servers, last started first; kill one that does not stop in 10 s."""
    for child in reversed(list(children)):
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


def setup_django() -> None:
    """Django on the environment set by main (DATABASE_URL, QYZMET_GATEWAY_URL), with providers."""
    common.setup_django()
    from qyzmet.demo.providers import seed_providers
    from qyzmet.providers.models import Provider
    from qyzmet.regulations.loader import catalogue

    if not Provider.objects.filter(acts_as=catalogue()[REGULATION].provider.code).exists():
        seed_providers(with_staff=False)


class SignedRequests:
    """`count` signed requests through the applicant API, each with its own paid fee, made before
    any clock starts. `per_key` requests share an applicant (a token and a key pair: a key takes
    0.1-0.5 s to make, a signature milliseconds); each carries its own `nonce`, so each is a
    different signed request, filed as its own application. `iins[i]` is request i's applicant.
    Each is signed as the portal's page signs it: the envelope {request, signature} of
    qyzmet/pki/signing.py, the signature a detached CMS over the request's canonical bytes."""

    def __init__(self, centre, count: int, first_seed: int, per_key: int = 1, label: str = "bench"):
        from django.contrib.auth import get_user_model

        from qyzmet.api.models import ApiToken
        from qyzmet.engine.fees import fee_for
        from qyzmet.gateway.clients.payments import PaymentsClient
        from qyzmet.gateway.testing import ordinary_iin
        from qyzmet.pki.signing import sign
        from qyzmet.providers.models import Provider
        from qyzmet.regulations.loader import catalogue

        reg = catalogue()[REGULATION]
        self.provider = Provider.objects.filter(acts_as=reg.provider.code).order_by("code").first()
        fee = fee_for(reg, VARIANT, int(TODAY[:4]))
        payments = PaymentsClient()
        run = os.urandom(4).hex()  # a fresh payment reference per run
        self.headers, self.payloads, self.iins = [], [], []
        for i in range(count):
            if i % per_key == 0:
                iin = ordinary_iin(seed=first_seed + i // per_key)
                user, _ = get_user_model().objects.get_or_create(username=iin)
                _, token = ApiToken.issue(user, label)
                key = centre.issue(iin=iin, password="bench", name="BENCH APPLICANT")
            request = {
                "iin": iin,
                "regulation": reg.id,
                "service": reg.service,
                "variant": VARIANT,
                "provider": self.provider.code,
                "nonce": i,
            }
            payment = payments.create(
                f"draft-{run}-{i}",
                fee.tenge,
                iin,
                f"{label}-{run}-{i}",
                service=reg.service,
                variant=VARIANT,
                provider=self.provider.code,
            )
            self.headers.append({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            self.payloads.append(
                json.dumps(
                    {
                        "provider": self.provider.code,
                        "service": reg.service,
                        "variant": VARIANT,
                        "signed_request": sign(request, key.private_key, key.certificate),
                        "payment_id": payment["payment_id"],
                    }
                ).encode()
            )
            self.iins.append(iin)

    @property
    def items(self) -> list[tuple[dict, bytes]]:
        return list(zip(self.headers, self.payloads, strict=True))


# The load ------------------------------------------------------------------------------------


def fire(port: int, requests: list, concurrency: int, timeout: float, deadline: float):
    """Send (method, path, headers, body) requests from `concurrency` threads; returns the wall
    time, the latencies in seconds and the count of each status (0: failed or not sent)."""
    latencies, statuses = [], {}
    lock = threading.Lock()
    pending = iter(requests)
    stop_at = time.monotonic() + deadline

    def worker():
        conn = None  # one kept-alive connection per client thread, as a browser or a front proxy keeps
        while time.monotonic() < stop_at:
            with lock:
                item = next(pending, None)
            if item is None:
                break
            method, path, headers, body = item
            start = time.perf_counter()
            try:
                conn = conn or http.client.HTTPConnection(HOST, port, timeout=timeout)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status, conn = 0, None
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return wall, latencies, statuses


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")
    )


def report(label: str, count: int, wall: float, latencies: list[float], statuses: dict) -> float:
    per_s = statuses.get(201 if label == "submissions" else 200, 0) / wall
    print(
        f"{label}_per_s={per_s:.1f} p50_ms={1000 * percentile(latencies, 50):.1f} "
        f"p99_ms={1000 * percentile(latencies, 99):.1f} requests={count} seconds={wall:.2f} "
        f"statuses={dict(sorted(statuses.items()))}"
    )
    return per_s


# Where a submission's time goes ---------------------------------------------------------------

# (label, regex on "file:function") whose cumulative time is summed; buckets may nest.
BUCKETS = [
    ("intake submit (signature, ledger, walk, filing)", r"intake/online/submissions\.py:submit$"),
    ("engine.channels.walk (the checks)", r"engine/channels\.py:walk$"),
    (
        "EDS check: verify_signed_request (CMS, certificate chain, CRL)",
        r"pki/verify\.py:verify_signed_request$",
    ),
    ("  CertificationCentre.trust (reading root, issuing CA, CRL from disk)", r"pki/ca\.py:trust$"),
    ("payment check: PaymentsClient.status over HTTP (Message rows too)", r"engine/channels\.py:_paid$"),
    ("  HTTP to the gateway service (httpx)", r"gateway/transport\.py:send$"),
    ("services.file_application", r"engine/services\.py:file_application$"),
    ("  its one statement (application, first step, audit entry)", r"engine/store\.py:file$"),
    ("expected path for the answer (paths.plan)", r"engine/paths\.py:plan$"),
    ("idempotency row (_claim)", r"intake/online/submissions\.py:_claim$"),
    ("token check (ApiTokenAuth)", r"api/auth\.py:authenticate$"),
    ("round trips to PostgreSQL (psycopg execute)", r"psycopg/cursor\.py:execute$"),
    ("COMMIT (psycopg commit)", r"psycopg/connection\.py:commit$"),
]


def profile(applicants: SignedRequests) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def post(i: int):
        return client.generic(
            "POST",
            SUBMIT,
            applicants.payloads[i],
            content_type="application/json",
            headers={"Authorization": applicants.headers[i]["Authorization"]},
        )

    n = len(applicants.payloads)
    assert post(0).status_code == 201  # warm-up: caches, connection
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        assert post(1).status_code == 201
        one_ms = 1000 * (time.perf_counter() - start)
    print(f"# one submission in this process: {one_ms:.1f} ms, {len(ctx.captured_queries)} statements:")
    for q in ctx.captured_queries:
        print("  " + _statement(q["sql"]))
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for i in range(2, n):
        assert post(i).status_code == 201
    profiler.disable()
    wall = time.perf_counter() - start
    ps = pstats.Stats(profiler)
    print(f"# cProfile of {n - 2} submissions ({1000 * wall / (n - 2):.1f} ms each under the profiler):")
    for label, pattern in BUCKETS:
        print(f"profile_share {label}: {cumulative(ps, pattern) / wall:.0%}")
    for title, order, restriction in (
        (
            "# top 25 qyzmet/django/ninja functions by cumulative time:",
            "cumulative",
            r"qyzmet/|django/|ninja/",
        ),
        ("# top 12 functions by own time:", "tottime", ""),
    ):
        out = io.StringIO()
        ps.stream = out
        ps.sort_stats(order).print_stats(restriction, 25 if restriction else 12)
        lines = out.getvalue().splitlines()
        first = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
        print(title)
        print("\n".join(_short(line) for line in lines[first:] if line.strip()))


def _statement(sql: str, width: int = 150) -> str:
    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r"SELECT (.{50}).*? FROM", r"SELECT \1... FROM", sql)
    return sql if len(sql) <= width else sql[: width - 3] + "..."


def _short(line: str) -> str:
    return re.sub(r"\S*site-packages/", "", line.replace(str(ROOT) + "/", ""))


# Main -----------------------------------------------------------------------------------------


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--m", type=int, default=300, help="signed submissions (one applicant each)")
    ap.add_argument("--concurrency", type=int, default=16, help="client threads")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="server processes")
    ap.add_argument("--threads", type=int, default=8, help="threads per server process")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    ap.add_argument("--deadline", type=float, default=300.0, help="seconds per timed run")
    ap.add_argument("--profile-n", type=int, default=20)
    args = ap.parse_args(argv)

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"bench/portal.py needs PostgreSQL; DATABASE_URL is {url}")
    ensure_database(url)

    workdir = tempfile.TemporaryDirectory(prefix="qyzmet-bench-portal-")
    gateway_port, app_port, minimal_port = free_port(), free_port(), free_port()
    gateway_url = f"http://{HOST}:{gateway_port}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        QYZMET_TODAY=TODAY,
        QYZMET_PKI_DIR=str(Path(workdir.name) / "pki"),
        QYZMET_GATEWAY_URL=gateway_url,
        QYZMET_DEBUG="0",  # no query log in memory, as in production
        # throughput is measured here, so admission control admits as many as there are threads;
        # shedding past the bound is bench/overload.py's subject
        QYZMET_ADMISSION_WRITES=str(args.threads),
        QYZMET_ADMISSION_READS=str(args.threads),
        QYZMET_LOG_LEVEL="WARNING",  # no access-log line per request on the bench's terminal
        QYZMET_SECRET_KEY=os.environ.get("QYZMET_SECRET_KEY", "bench-" + os.urandom(16).hex()),
        CELERY_TASK_ALWAYS_EAGER="1",
    )
    os.environ.update(env)
    children = []
    try:
        children.append(start_gateway(gateway_port, env))
        setup_django()  # migrations before the app server starts

        from qyzmet.pki.ca import CertificationCentre

        centre = CertificationCentre.default().ensure()
        children.append(start_app(app_port, args.workers, args.threads, env))
        children.append(start_minimal(minimal_port, args.workers, args.threads, env))

        seed = int(time.time()) % 1_000_000 * 1000  # new applicants each run
        started = time.perf_counter()
        warm = SignedRequests(centre, args.concurrency, seed)
        timed = SignedRequests(centre, args.m, seed + args.concurrency)
        profiled = SignedRequests(centre, args.profile_n + 2, seed + args.concurrency + args.m)
        print(f"# host: {os.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"# server: gunicorn, {args.workers} processes x {args.threads} threads (gthread, keep-alive); "
            f"gateway simulators over HTTP (gunicorn, 1 process x 16 threads); PostgreSQL; "
            f"QYZMET_TODAY={TODAY}; {REGULATION} {VARIANT} at {timed.provider.code}"
        )
        print(
            f"# set-up: {args.m + args.concurrency + args.profile_n + 2} applicants, keys, fees and signatures "
            f"in {time.perf_counter() - started:.1f} s (not timed)"
        )

        def gets(group):
            return [("GET", BASELINE, h, None) for h in group.headers]

        def posts(group):
            return [("POST", SUBMIT, h, b) for h, b in zip(group.headers, group.payloads, strict=True)]

        # warm-up: every worker process parses the regulation, loads the CA, opens connections
        fire(app_port, gets(warm) + posts(warm), args.concurrency, args.timeout, args.deadline)

        fire(
            minimal_port, [("GET", MINIMAL, {}, None)] * args.concurrency, args.concurrency, args.timeout, 30
        )

        print(f"# {args.m} requests each, {args.concurrency} client threads, localhost")
        minimal = report(
            "minimal_get",
            args.m,
            *fire(
                minimal_port,
                [("GET", MINIMAL, {}, None)] * args.m,
                args.concurrency,
                args.timeout,
                args.deadline,
            ),
        )
        base = report(
            "baseline_get",
            args.m,
            *fire(app_port, gets(timed), args.concurrency, args.timeout, args.deadline),
        )
        wall, latencies, statuses = fire(
            app_port, posts(timed), args.concurrency, args.timeout, args.deadline
        )
        subs = report("submissions", args.m, wall, latencies, statuses)
        p99 = 1000 * percentile(latencies, 99)
        print(
            f"get_ratio_to_minimal={base / minimal:.3f}  (authenticated GETs per s / minimal Django GETs per s; target >= 0.5)"
        )
        print(
            f"ratio={subs / base:.3f}  (submissions per s / authenticated GETs per s; target >= 0.5 with p99 < 250 ms)"
        )
        met = subs >= 300 and p99 < 250
        print(
            f"target 300/s at p99 < 250 ms on 2 cores: {'met' if met else 'NOT met'} "
            f"({subs:.0f}/s, p99 {p99:.0f} ms on {os.cpu_count()} CPUs, database and gateway on the same host)"
        )

        from django.conf import settings

        settings.DEBUG = False
        profile(profiled)
    finally:
        stop(children)
        workdir.cleanup()


if __name__ == "__main__":
    main()
