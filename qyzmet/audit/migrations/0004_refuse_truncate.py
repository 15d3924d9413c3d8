"""On PostgreSQL the database refuses TRUNCATE of the audit log too, and no role but the owner
holds UPDATE, DELETE or TRUNCATE on it (append_only.py)."""

from django.db import migrations

from qyzmet.audit.append_only import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audit_chains")]
    operations = [refuse_truncate("audit_append_only", ("audit_auditentry",), "the audit log is append-only")]
