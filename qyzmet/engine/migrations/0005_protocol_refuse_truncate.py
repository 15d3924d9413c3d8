"""On PostgreSQL the database refuses TRUNCATE of the protocols too (audit/append_only.py)."""

from django.db import migrations

from qyzmet.audit.append_only import refuse_truncate


class Migration(migrations.Migration):
    dependencies = [("engine", "0004_application_payment_id")]
    operations = [
        refuse_truncate(
            "engine_protocol_append_only",
            ("engine_protocol",),
            "protocols are append-only: they are part of the application's file",
        )
    ]
