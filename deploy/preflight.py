"""Before `make prod` starts anything: are PostgreSQL and RabbitMQ there?

`make prod` starts the platform's own processes (Procfile) and nothing else: the database and
the broker are services of their own, started and kept by their own tools. This says which of
them cannot be reached, at which address and from which variable, and exits 1; a reachable
PostgreSQL without the database yet gets it created (as `createdb` would), so a first run needs
no other step. Passwords are never printed.

The app does not connect as a superuser, who could switch the append-only triggers off: when
DATABASE_OWNER_URL names another role than DATABASE_URL, preflight (connected as
DATABASE_ADMIN_URL, a superuser) makes both roles, without superuser rights: the owner
(qyzmet_owner) owns the database, its schema and every table, and runs the migrations; the app
(qyzmet_app) owns nothing and gets SELECT, INSERT, UPDATE and DELETE on the tables, now and
(default privileges) in future, but only SELECT and INSERT on the append-only ones (the audit
log, the register, protocols, signed heads: qyzmet/audit/append_only.py), never TRUNCATE, and
cannot ALTER a table it does not own. A password in a URL becomes the role's password.

    .venv/bin/python deploy/preflight.py     # DATABASE_URL, CELERY_BROKER_URL from the environment
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/qyzmet"
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_BROKER_URL = "amqp://guest@127.0.0.1//"
TIMEOUT = 5


def where(url: str, default_port: int) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or default_port}"


def check_postgresql(url: str, admin_url: str | None = None) -> str | None:
    """None when the server answers (and has the database, created if need be, through
    `admin_url` when given), else the problem."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        return f"DATABASE_URL must name PostgreSQL (postgres://...), not {parts.scheme}://"
    name = parts.path.lstrip("/") or "qyzmet"
    server = urlunsplit(urlsplit(admin_url or url)._replace(path="/postgres"))
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


def append_only_tables(conn) -> list[str]:
    """The tables guarded by qyzmet/audit/append_only.py (their trigger functions end so)."""
    rows = conn.execute(
        """SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
           JOIN pg_proc p ON p.oid = t.tgfoid
           WHERE NOT t.tgisinternal AND p.proname LIKE '%append_only' ORDER BY c.relname"""
    ).fetchall()
    return [name for (name,) in rows]


def grant_app(conn, owner: str, app: str) -> None:
    """In the connected database: `app` may read and write every table of `owner`'s schema, now
    and in future, but only read and add to the append-only ones; TRUNCATE never. Run as the
    owner or a superuser; idempotent."""
    from psycopg import sql

    names = {"owner": sql.Identifier(owner), "app": sql.Identifier(app)}
    for statement in (
        "GRANT USAGE ON SCHEMA public TO {app}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        " GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app}",
        "REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {app}",
    ):
        conn.execute(sql.SQL(statement).format(**names))
    for table in append_only_tables(conn):
        conn.execute(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                sql.Identifier(table), names["app"]
            )
        )


def _ensure_role(conn, url: str) -> str:
    """The role a URL logs in as, made (LOGIN, no superuser) if missing; its password from the URL."""
    from psycopg import sql

    parts = urlsplit(url)
    role = parts.username or "postgres"
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone() is None:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(sql.Identifier(role))
        )
        print(f"preflight: created role {role!r}")
    if parts.password:
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(parts.password))
        )
    return role


def ensure_roles(admin_url: str, owner_url: str, app_url: str) -> str | None:
    """Make the owner and app roles, give the owner the database and everything in its schema,
    and grant the app its share (see the module's docstring). None when done, else the problem."""
    import psycopg
    from psycopg import sql

    database = urlsplit(app_url).path.lstrip("/") or "qyzmet"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=TIMEOUT) as conn:
            owner, app = _ensure_role(conn, owner_url), _ensure_role(conn, app_url)
            if owner == app:
                return f"DATABASE_OWNER_URL and DATABASE_URL name the same role {app!r}: give the app its own"
            for role in (owner, app):
                if conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role]).fetchone()[0]:
                    return f"role {role!r} is a superuser: it could switch the append-only triggers off"
            conn.execute(
                sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(database), sql.Identifier(owner)
                )
            )
        in_database = urlunsplit(urlsplit(admin_url)._replace(path=f"/{database}"))
        with psycopg.connect(in_database, autocommit=True, connect_timeout=TIMEOUT) as conn:
            conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))
            conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            # A database migrated before the roles existed: its tables and functions pass to the owner.
            for kind, (name,) in [
                *(
                    ("TABLE", r)
                    for r in conn.execute(
                        "SELECT quote_ident(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                        " AND relkind IN ('r', 'p', 'v', 'm') AND relowner <> %s::regrole",
                        [owner],
                    ).fetchall()
                ),
                *(
                    ("FUNCTION", r)
                    for r in conn.execute(
                        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE pronamespace = 'public'::regnamespace"
                        " AND proowner <> %s::regrole",
                        [owner],
                    ).fetchall()
                ),
            ]:
                conn.execute(
                    sql.SQL(f"ALTER {kind} {{}} OWNER TO {{}}").format(sql.SQL(name), sql.Identifier(owner))
                )
            grant_app(conn, owner, app)
    except psycopg.Error as exc:
        reason = (
            " ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__
        )
        return (
            f"PostgreSQL roles could not be set up at {where(admin_url, 5432)} (DATABASE_ADMIN_URL): {reason}"
        )
    print(
        f"preflight: the app connects as {app!r} (no TRUNCATE, no UPDATE or DELETE of evidence); {owner!r} owns the schema"
    )
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
    owner = os.environ.get("DATABASE_OWNER_URL") or database
    admin = os.environ.get("DATABASE_ADMIN_URL") or (DEFAULT_ADMIN_URL if owner != database else owner)
    broker = os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL
    problems = [p for p in (check_postgresql(database, admin), check_rabbitmq(broker)) if p]
    if not problems and owner != database:
        problems = [p for p in (ensure_roles(admin, owner, database),) if p]
    elif not problems:
        print(
            "preflight: warning: the app and the migrations share one role (no DATABASE_OWNER_URL): "
            "if it is a superuser it can switch the append-only triggers off",
            file=sys.stderr,
        )
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
