"""Before `make prod` starts anything: are PostgreSQL and RabbitMQ there?

`make prod` starts the platform's own processes (Procfile) and nothing else: the database and
the broker are services of their own, started and kept by their own tools. This says which of
them cannot be reached, at which address and from which variable, and exits 1; a reachable
PostgreSQL without the database yet gets it created (as `createdb` would), so a first run needs
no other step. Passwords are never printed.

    .venv/bin/python deploy/preflight.py     # DATABASE_URL, CELERY_BROKER_URL from the environment
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/qyzmet"
DEFAULT_BROKER_URL = "amqp://guest@127.0.0.1//"
TIMEOUT = 5


def where(url: str, default_port: int) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or default_port}"


def check_postgresql(url: str) -> str | None:
    """None when the server answers (and has the database, created if need be), else the problem."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        return f"DATABASE_URL must name PostgreSQL (postgres://...), not {parts.scheme}://"
    name = parts.path.lstrip("/") or "qyzmet"
    server = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=TIMEOUT) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"preflight: created database {name!r} on PostgreSQL at {where(url, 5432)}")
    except psycopg.Error as exc:
        reason = (
            " ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__
        )
        return f"PostgreSQL is not reachable at {where(url, 5432)} (DATABASE_URL): {reason}"
    return None


def check_rabbitmq(url: str) -> str | None:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, timeout=TIMEOUT)
    except Exception as exc:  # the transport's own errors; all mean "cannot publish"
        return f"RabbitMQ is not reachable at {where(url, 5672)} (CELERY_BROKER_URL): {exc or type(exc).__name__}"
    return None


def main() -> int:
    database = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    broker = os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL
    problems = [p for p in (check_postgresql(database), check_rabbitmq(broker)) if p]
    for problem in problems:
        print(f"preflight: {problem}", file=sys.stderr)
    if problems:
        print(
            "preflight: `make prod` does not start PostgreSQL or RabbitMQ; start the one named above "
            "(or point its variable at one that runs) and try again",
            file=sys.stderr,
        )
        return 1
    print(f"preflight: PostgreSQL at {where(database, 5432)} and RabbitMQ at {where(broker, 5672)} answer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
