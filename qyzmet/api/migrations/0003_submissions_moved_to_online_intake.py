# The API's submission ledger was copied into the online intake's one (intake_online 0001).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_portal_submission"),
        ("intake_online", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="Submission"),
    ]
