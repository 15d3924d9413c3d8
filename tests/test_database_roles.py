"""The app's PostgreSQL role (deploy/preflight.py) may add to the evidence, never change or remove it.

The app connects as a role that owns nothing: on the audit log and the register it holds SELECT
and INSERT only, so UPDATE, DELETE and TRUNCATE are refused, and as no table is its own it can
neither ALTER one to switch the append-only trigger off nor (no superuser) get past triggers
with session_replication_role. A role that does hold TRUNCATE (the owner) meets the trigger.
Migrations run as the owner: `python -m qyzmet migrate` connects through DATABASE_OWNER_URL.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from qyzmet.audit.log import record

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ("audit_auditentry", "registry_registerentry", "registry_registerevent", "registry_signedhead")


def preflight():
    spec = importlib.util.spec_from_file_location("preflight", ROOT / "deploy" / "preflight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles are PostgreSQL's; SQLite relies on the models"
)
committed = pytest.mark.django_db(transaction=True)  # the role's own connection sees only commits


@pytest.fixture
def app_role():
    """A login role set up as preflight sets up qyzmet_app, on the test database (roles are the
    cluster's: the name is this test's own); dropped afterwards."""
    import psycopg
    from psycopg import sql

    role = f"qyzmet_app_test_{uuid.uuid4().hex[:8]}"
    owner = connection.settings_dict["USER"] or "postgres"
    admin = psycopg.connect(_url(owner), autocommit=True)
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER").format(sql.Identifier(role)))
    try:
        preflight().grant_app(admin, owner, role)
        with psycopg.connect(_url(role), autocommit=True) as conn:
            yield conn, admin
    finally:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
        admin.close()


def _url(user: str) -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@postgresql_only
@committed
def test_preflight_finds_every_append_only_table(app_role):
    _conn, admin = app_role
    assert set(EVIDENCE) <= set(preflight().append_only_tables(admin))


@postgresql_only
@committed
def test_app_role_adds_to_the_audit_log_and_may_not_change_or_remove_it(app_role):
    import psycopg

    conn, _admin = app_role
    entry = record(
        "clerk", "step_completed", ("application", 1), {}, at=dt.datetime(2015, 6, 1, tzinfo=dt.UTC)
    )
    conn.execute(
        "INSERT INTO audit_auditentry (chain, at, actor, action, subject_type, subject_id, data, prev_hash, hash)"
        " VALUES (1, now(), 'clerk', 'step_completed', 'application', '2', '{}', %s, %s)",
        [entry.hash, "f" * 64],
    )
    assert conn.execute("SELECT count(*) FROM audit_auditentry").fetchone() == (2,)
    conn.execute("UPDATE audit_chainhead SET hash = hash")  # the heads are ordinary rows
    for table in EVIDENCE:
        conn.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names are constants
        for statement in (
            f"UPDATE {table} SET id = id",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
            f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            f"ALTER TABLE {table} OWNER TO CURRENT_USER",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SET session_replication_role = replica")
    assert conn.execute("SELECT count(*) FROM audit_auditentry").fetchone() == (2,)


@postgresql_only
@committed
def test_a_role_holding_truncate_meets_the_trigger(app_role):
    import psycopg
    from psycopg import sql

    conn, admin = app_role
    role = sql.Identifier(conn.info.user)
    for table in (*EVIDENCE, "registry_issueddocument", "registry_proposal"):
        admin.execute(sql.SQL("GRANT TRUNCATE ON {} TO {}").format(sql.Identifier(table), role))
    # the register's entries are referenced by its events, documents and the watch's proposals:
    # truncated together
    for tables in (
        *EVIDENCE[:1],
        *EVIDENCE[2:],
        "registry_registerentry, registry_registerevent, registry_issueddocument, registry_proposal",
    ):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute(f"TRUNCATE {tables}")


def test_migrate_connects_as_the_owner(tmp_path):
    """`migrate` uses DATABASE_OWNER_URL, every other command DATABASE_URL (SQLite files here)."""
    app, owner = tmp_path / "app.sqlite3", tmp_path / "owner.sqlite3"
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{app}",
        DATABASE_OWNER_URL=f"sqlite:///{owner}",
        QYZMET_VAR_DIR=str(tmp_path),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "-m", "qyzmet", "migrate", "--plan"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    assert owner.exists() and not app.exists()


@postgresql_only
def test_preflight_makes_an_owner_and_an_app_role_that_owns_nothing():
    """On a database of its own: the owner owns it; tables the owner makes later are the app's
    to read and write (default privileges), and the app may not create any."""
    import psycopg
    from psycopg import sql

    check = preflight()
    suffix = uuid.uuid4().hex[:8]
    server = _url(connection.settings_dict["USER"] or "postgres").rsplit("/", 1)[0]
    owner, app, database = f"qyzmet_owner_t{suffix}", f"qyzmet_app_t{suffix}", f"qyzmet_roles_t{suffix}"
    try:
        assert check.check_postgresql(f"{server}/{database}") is None  # created
        assert (
            check.ensure_roles(
                f"{server}/postgres",
                f"{server.replace('//postgres@', f'//{owner}@')}/{database}",
                f"{server.replace('//postgres@', f'//{app}@')}/{database}",
            )
            is None
        )
        as_owner = server.replace("//postgres@", f"//{owner}@") + f"/{database}"
        as_app = server.replace("//postgres@", f"//{app}@") + f"/{database}"
        with psycopg.connect(as_owner, autocommit=True) as conn:
            conn.execute("CREATE TABLE later (id int)")
        with psycopg.connect(as_app, autocommit=True) as conn:
            conn.execute("INSERT INTO later VALUES (1)")
            conn.execute("UPDATE later SET id = 2")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("TRUNCATE later")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("CREATE TABLE mine (id int)")
            supers = conn.execute(
                "SELECT rolsuper FROM pg_roles WHERE rolname IN (%s, %s)", [owner, app]
            ).fetchall()
            assert supers == [(False,), (False,)]
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))
            for role in (app, owner):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
