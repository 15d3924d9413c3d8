"""The reception's models now live in `qyzmet.intake.paper` (which took over their tables)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("office", "0001_initial"),
        ("intake_paper", "0001_from_office"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ReceptionRefusal"),
                migrations.DeleteModel(name="ScannedDocument"),
            ],
            database_operations=[],
        ),
    ]
