"""The reception's refusals and scans move from the office face to the paper intake, rows and all.

The models were `office.ReceptionRefusal` and `office.ScannedDocument`: their tables are taken
over as they are (state only) and renamed to this app's names.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("engine", "0001_initial"),
        ("office", "0001_initial"),
        ("providers", "0001_initial"),
        ("regulations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReceptionRefusal",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.CharField(max_length=32, unique=True, verbose_name="number")),
                        ("variant", models.CharField(max_length=40)),
                        ("channel", models.CharField(max_length=40)),
                        ("applicant", models.CharField(db_index=True, max_length=12, verbose_name="IIN/BIN")),
                        ("applicant_name", models.CharField(blank=True, max_length=200)),
                        ("presented", models.JSONField(default=list, help_text="the required documents that were presented")),
                        ("missing", models.JSONField(default=list, help_text="the required documents that were not")),
                        ("at", models.DateTimeField()),
                        ("clerk", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("provider", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="reception_refusals", to="providers.provider")),
                        ("regulation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="regulations.regulation")),
                    ],
                    options={"ordering": ["-at"], "db_table": "office_receptionrefusal"},
                ),
                migrations.CreateModel(
                    name="ScannedDocument",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=255)),
                        ("content_type", models.CharField(max_length=40)),
                        ("size", models.PositiveIntegerField()),
                        ("sha256", models.CharField(max_length=64)),
                        ("content", models.BinaryField()),
                        ("uploaded_at", models.DateTimeField()),
                        ("application", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="scans", to="engine.application")),
                        ("uploaded_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"ordering": ["uploaded_at", "id"], "db_table": "office_scanneddocument"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="receptionrefusal", table=None),
        migrations.AlterModelTable(name="scanneddocument", table=None),
    ]
