"""Protocols of commission and council meetings (steps marked `collegial`).

On PostgreSQL the database itself refuses to change or delete a protocol: it is part of the
application's file, like the audit log and the register. SQLite relies on the model's refusal.
"""

import django.db.models.deletion
from django.db import migrations, models

from qyzmet.audit.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("engine", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Protocol",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=40, verbose_name="protocol number")),
                ("meeting_at", models.DateTimeField(verbose_name="meeting held")),
                ("chair", models.CharField(max_length=200, verbose_name="chair")),
                (
                    "members",
                    models.JSONField(
                        default=list, help_text="names, the chair among them", verbose_name="members present"
                    ),
                ),
                ("secretary", models.CharField(blank=True, max_length=200, verbose_name="secretary")),
                (
                    "decision",
                    models.CharField(help_text="the step's outcome", max_length=40, verbose_name="decision"),
                ),
                ("reasoning", models.TextField(blank=True, verbose_name="reasoning")),
                ("recorded_at", models.DateTimeField(help_text="when the step was completed with it")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="protocols",
                        to="engine.application",
                    ),
                ),
                (
                    "step_run",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="protocol",
                        to="engine.steprun",
                    ),
                ),
            ],
            options={
                "ordering": ["meeting_at", "id"],
            },
        ),
        append_only(
            "engine_protocol_append_only",
            ("engine_protocol",),
            "protocols are append-only: they are part of the application's file",
        ),
    ]
