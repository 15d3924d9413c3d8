"""What the benchmarks share: the PostgreSQL database they run in and cProfile accounting."""

from __future__ import annotations

import pstats
import re
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


def cumulative(ps: pstats.Stats, pattern: str) -> float:
    """Cumulative seconds of the profiled functions whose "file:function" matches `pattern`."""
    rx = re.compile(pattern)
    return sum(
        ct
        for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in ps.stats.items()
        if rx.search(f"{filename}:{func}")
    )
