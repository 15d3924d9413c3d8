"""A notice may be about a register event or a reminder: one per (application, channel, event, reference)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('engine', '0004_application_payment_id'),
        ('notifications', '0001_notification_moved_from_portal'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='notification',
            name='notifications_one_notice_per_event',
        ),
        migrations.AddField(
            model_name='notification',
            name='reference',
            field=models.CharField(blank=True, default='', max_length=60),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(fields=('application', 'channel', 'event', 'reference'), name='notifications_one_notice_per_event'),
        ),
    ]
