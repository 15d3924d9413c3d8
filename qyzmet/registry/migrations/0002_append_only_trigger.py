"""On PostgreSQL the database itself refuses to change or delete register entries and events.

Hashes are computed before the insert (they cover the chain position, not the row id), so no
UPDATE is ever needed. SQLite, the embedded development default, relies on the models.
"""

from django.db import migrations

TABLES = ("registry_registerentry", "registry_registerevent")

FORWARD = """
CREATE OR REPLACE FUNCTION registry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the register is append-only: record an event instead';
END; $$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER registry_append_only BEFORE UPDATE OR DELETE ON {table}\n"
    "  FOR EACH ROW EXECUTE FUNCTION registry_append_only();\n"
    for table in TABLES
)
BACKWARD = "".join(f"DROP TRIGGER IF EXISTS registry_append_only ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS registry_append_only();\n"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
