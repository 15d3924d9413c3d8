# Drafts and attachments now belong to the online intake (same tables, see
# intake_online 0001); the portal's submission ledger was copied there and is dropped.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("intake_online", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="SignedSubmission"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Attachment"),
                migrations.DeleteModel(name="Draft"),
            ]
        ),
    ]
