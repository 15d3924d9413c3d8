"""Permits' life: voided entries, withdrawal, signed decisions, and the watch's proposals of termination."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_issued_documents"),
    ]

    operations = [
        migrations.AlterField(
            model_name="issueddocument",
            name="kind",
            field=models.CharField(
                choices=[
                    ("result", "result"),
                    ("receipt", "receipt for the documents"),
                    ("refusal", "reasoned refusal"),
                    ("incomplete", "refusal to accept documents"),
                    ("protocol", "protocol of the meeting"),
                    ("psc_receipt", "receipt of the service centre"),
                    ("decision", "decision on the permit's status"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="registerentry",
            name="status",
            field=models.CharField(
                choices=[
                    ("valid", "valid"),
                    ("suspended", "suspended"),
                    ("terminated", "terminated"),
                    ("void", "void: replaced by a duplicate"),
                ],
                default="valid",
                help_text="as entered",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="registerevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("entered", "entered in the register"),
                    ("suspended", "suspended"),
                    ("resumed", "resumed"),
                    ("withdrawn", "withdrawn"),
                    ("terminated", "terminated"),
                    ("voided", "void: replaced by a duplicate"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="registerevent",
            name="status",
            field=models.CharField(
                choices=[
                    ("valid", "valid"),
                    ("suspended", "suspended"),
                    ("terminated", "terminated"),
                    ("void", "void: replaced by a duplicate"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="Proposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ground", models.CharField(max_length=40)),
                ("found_on", models.DateField(help_text="the day the state database gave for the event")),
                ("evidence", models.JSONField(default=dict, help_text="what the state database answered")),
                (
                    "lookup_id",
                    models.BigIntegerField(blank=True, help_text="the gateway's DataLookup kept", null=True),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "awaiting the licensor's decision"),
                            ("accepted", "terminated on this ground"),
                            ("dismissed", "dismissed"),
                        ],
                        default="open",
                        max_length=12,
                    ),
                ),
                ("proposed_at", models.DateTimeField()),
                ("decided_by", models.CharField(blank=True, max_length=150)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("note", models.TextField(blank=True)),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="proposals",
                        to="registry.registerentry",
                    ),
                ),
            ],
            options={
                "ordering": ["-proposed_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "open")),
                        fields=("entry", "ground"),
                        name="registry_one_open_proposal",
                    )
                ],
            },
        ),
    ]
