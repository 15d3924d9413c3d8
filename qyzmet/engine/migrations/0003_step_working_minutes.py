"""Working minutes of a completed step, stored with its completion (figures per step become sums
in the database); runs completed before this migration get theirs computed here."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from qyzmet.providers.models import calendar_for_hours

    StepRun = apps.get_model("engine", "StepRun")
    runs = StepRun.objects.filter(completed_at__isnull=False, working_minutes__isnull=True).select_related(
        "application__provider"
    )
    batch = []
    for run in runs.iterator(chunk_size=2000):
        p = run.application.provider
        calendar = calendar_for_hours(p.opens, p.closes, p.lunch_start, p.lunch_end)
        run.working_minutes = calendar.working_minutes_between(run.started_at, run.completed_at)
        batch.append(run)
        if len(batch) >= 2000:
            StepRun.objects.bulk_update(batch, ["working_minutes"])
            batch = []
    StepRun.objects.bulk_update(batch, ["working_minutes"])


class Migration(migrations.Migration):
    dependencies = [
        ("engine", "0002_protocol"),
        ("providers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="steprun",
            name="working_minutes",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
