"""On PostgreSQL the database itself refuses to change or delete register entries and events.

Hashes are computed before the insert (they cover the chain position, not the row id), so no
UPDATE is ever needed. SQLite, the embedded development default, relies on the models.
"""

from django.db import migrations

from qyzmet.audit.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [
        append_only(
            "registry_append_only",
            ("registry_registerentry", "registry_registerevent"),
            "the register is append-only: record an event instead",
        )
    ]
