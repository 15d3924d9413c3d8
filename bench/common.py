"""What the benchmarks share: the PostgreSQL database they run in and cProfile accounting."""

from __future__ import annotations

import pstats
import re
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qyzmet_bench"


def with_db(url: str, name: str) -> str:
    """The same server, another database."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def ensure_database(url: str) -> None:
    """Create the database named in `url` when the server does not have it yet."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_db(url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django() -> None:
    """Django on DATABASE_URL, migrated and loaded with the regulation catalogue."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qyzmet.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from qyzmet.regulations.catalogue_sync import sync_catalogue

    with open(os.devnull, "w") as devnull:
        call_command("migrate", verbosity=0, stdout=devnull)
    sync_catalogue()


def cumulative(ps: pstats.Stats, pattern: str) -> float:
    """Cumulative seconds of the profiled functions whose "file:function" matches `pattern`."""
    rx = re.compile(pattern)
    return sum(
        ct
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in ps.stats.items()
        if rx.search(f"{filename}:{func}")
    )


def run_clients(clients: int, work, count: int) -> tuple[int, float]:
    """Run `work(k)` (returns items done) for `count` items after a warm-up `work(1)`: in this
    process for one client, else in `clients` forked processes at once, `count` split between
    them. Returns (items done, wall seconds from the common start to the last client's end), as
    pgbench -c counts its clients' work."""
    if clients == 1:
        work(1)  # warm-up: caches, prepared statements
        start = time.perf_counter()
        done = work(count)
        return done, time.perf_counter() - start
    import multiprocessing as mp

    from django.db import connections

    connections.close_all()  # each process opens its own connection
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(clients)
    results = ctx.Queue()

    def child(share: int) -> None:
        work(1)
        barrier.wait()
        start = time.monotonic()
        done = work(share)
        results.put((done, start, time.monotonic()))
        connections.close_all()

    shares = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]
    procs = [ctx.Process(target=child, args=(share,)) for share in shares]
    for p in procs:
        p.start()
    got = [results.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a benchmark process failed (exit code {p.exitcode})")
    return sum(g[0] for g in got), max(g[2] for g in got) - min(g[1] for g in got)
