"""Append-only tables enforced by PostgreSQL itself, for migrations to install.

The audit log, the register and the commissions' protocols are evidence: rows are added, never
changed or removed. Their models refuse it, and on PostgreSQL the database refuses it too, so
that no code path (or person with a SQL prompt and the application's role) can:
  - the application's role (qyzmet_app, deploy/preflight.py) holds only SELECT and INSERT on
    them: no UPDATE, DELETE or TRUNCATE, and as it owns no table it cannot ALTER one (so cannot
    switch a trigger off). Installing the guard revokes UPDATE, DELETE and TRUNCATE from every
    role but the table's owner, whatever default privileges granted at CREATE TABLE;
  - a trigger refuses UPDATE and DELETE of a row, and TRUNCATE of the table, to any role that
    holds the privilege (the owner, which runs the migrations). A superuser may TRUNCATE (Django's
    test runner empties tables so between tests): a superuser can switch any trigger off anyway
    (session_replication_role), which is why the chains' heads are signed and published
    (registry/heads.py) instead of trusting the database's operator.
SQLite, the embedded development default, relies on the models.

Every trigger function installed here is named `..._append_only`: deploy/preflight.py finds the
append-only tables by it.
"""

from __future__ import annotations

from django.db import migrations


def _function_sql(name: str, message: str) -> str:
    quoted = message.replace("'", "''")
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$\n"
        "BEGIN\n"
        "  IF TG_OP = 'TRUNCATE' AND current_setting('is_superuser') = 'on' THEN RETURN NULL; END IF;\n"
        f"  RAISE EXCEPTION '{quoted}';\n"
        "END; $$ LANGUAGE plpgsql;\n"
    )


def _truncate_sql(name: str, tables: tuple[str, ...]) -> str:
    # Idempotent: a database migrated afresh got it already from `append_only`.
    return "".join(
        f"DROP TRIGGER IF EXISTS {name}_truncate ON {table};\n"
        f"CREATE TRIGGER {name}_truncate BEFORE TRUNCATE ON {table}\n"
        f"  FOR EACH STATEMENT EXECUTE FUNCTION {name}();\n"
        for table in tables
    )


def _revoke_sql(tables: tuple[str, ...]) -> str:
    """Take UPDATE, DELETE and TRUNCATE from every grantee but the table's owner."""
    return "".join(  # table names from the migrations, constants
        f"""DO $$ DECLARE grantee text; BEGIN
  FOR grantee IN SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
    FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
    WHERE c.oid = '{table}'::regclass AND a.grantee <> c.relowner
      AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
  LOOP EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM ' || grantee; END LOOP;
END $$;
"""  # noqa: S608
        for table in tables
    )


def _postgresql_only(forward_sql: str, backward_sql: str) -> migrations.RunPython:
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward_sql)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward_sql)

    return migrations.RunPython(forward, backward)


def append_only(name: str, tables: tuple[str, ...], message: str) -> migrations.RunPython:
    """A migration operation installing trigger function `name` that raises `message` on any
    UPDATE or DELETE of a row of `tables` and on TRUNCATE, and revoking those privileges from
    every role but the owner (PostgreSQL only; nothing elsewhere)."""
    forward_sql = (
        _function_sql(name, message)
        + "".join(
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}\n"
            f"  FOR EACH ROW EXECUTE FUNCTION {name}();\n"
            for table in tables
        )
        + _truncate_sql(name, tables)
        + _revoke_sql(tables)
    )
    backward_sql = (
        "".join(f"DROP TRIGGER IF EXISTS {name}_truncate ON {table};\n" for table in tables)
        + "".join(f"DROP TRIGGER IF EXISTS {name} ON {table};\n" for table in tables)
        + f"DROP FUNCTION IF EXISTS {name}();\n"
    )
    return _postgresql_only(forward_sql, backward_sql)


def refuse_truncate(name: str, tables: tuple[str, ...], message: str) -> migrations.RunPython:
    """For tables `append_only` guarded before it refused TRUNCATE: the same function `name`
    (now refusing TRUNCATE too), its TRUNCATE trigger, and the privileges revoked (nothing new
    where `append_only` already did it all)."""
    forward_sql = _function_sql(name, message) + _truncate_sql(name, tables) + _revoke_sql(tables)
    backward_sql = "".join(f"DROP TRIGGER IF EXISTS {name}_truncate ON {table};\n" for table in tables)
    return _postgresql_only(forward_sql, backward_sql)
