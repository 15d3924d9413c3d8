"""Append-only tables enforced by PostgreSQL itself, for migrations to install.

The audit log, the register and the commissions' protocols are evidence: rows are added, never
changed or removed. Their models refuse it, and on PostgreSQL a trigger refuses it too, so that
no code path (or person with a SQL prompt and the application's role) can. SQLite, the embedded
development default, relies on the models.
"""

from __future__ import annotations

from django.db import migrations


def append_only(name: str, tables: tuple[str, ...], message: str) -> migrations.RunPython:
    """A migration operation installing trigger function `name` that raises `message` on any
    UPDATE or DELETE of a row of `tables` (PostgreSQL only; nothing elsewhere)."""
    quoted = message.replace("'", "''")
    forward_sql = (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$\n"
        f"BEGIN\n  RAISE EXCEPTION '{quoted}';\nEND; $$ LANGUAGE plpgsql;\n"
    ) + "".join(
        f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}\n  FOR EACH ROW EXECUTE FUNCTION {name}();\n"
        for table in tables
    )
    backward_sql = "".join(f"DROP TRIGGER IF EXISTS {name} ON {table};\n" for table in tables) + (
        f"DROP FUNCTION IF EXISTS {name}();\n"
    )

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward_sql)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward_sql)

    return migrations.RunPython(forward, backward)
