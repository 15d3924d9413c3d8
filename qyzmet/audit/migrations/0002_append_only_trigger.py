"""On PostgreSQL the database itself refuses to change or delete an audit entry.

SQLite, the embedded development default, relies on the model's refusal.
"""

from django.db import migrations

from qyzmet.audit.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [append_only("audit_append_only", ("audit_auditentry",), "the audit log is append-only")]
