# Drafts and attachments move here from the portal with their tables (portal_draft,
# portal_attachment): only the migration state changes. The two submission ledgers (portal's
# SignedSubmission, the API's Submission) are copied into the one ledger, then dropped by the
# portal's and the API's next migrations.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_ledgers(apps, schema_editor):
    """Rows of the two old ledgers into the one: key, applicant, outcome; no envelope was kept."""
    Submission = apps.get_model("intake_online", "Submission")
    rows = []
    for old in apps.get_model("portal", "SignedSubmission").objects.select_related("user", "draft__provider"):
        draft = old.draft
        rows.append(
            Submission(
                signature_sha256=old.signature_sha256,
                applicant=old.user.username,
                user_id=old.user_id,
                door="web",
                draft_id=old.draft_id,
                provider=draft.provider.code if draft.provider_id else "",
                service="",
                variant=draft.variant,
                regulation=draft.regulation_id,
                channel=draft.channel,
                payment_id=draft.payment_id,
                status=old.status if old.status in ("filed", "refused", "waiting") else "waiting",
                application_id=old.application_id,
                message=old.message,
                reason=old.reason,
                claimed_at=old.received_at,
            )
        )
    for old in apps.get_model("api", "Submission").objects.all():
        rows.append(
            Submission(
                signature_sha256=old.signature_sha256,
                applicant=old.applicant,
                user_id=old.user_id,
                door="api",
                provider=old.provider,
                service=old.service,
                variant=old.variant,
                regulation=old.regulation,
                channel=old.channel,
                status=old.status,
                application_id=old.application_id,
                step=old.step,
                message=old.message,
                reason=old.reason,
                attempts=old.attempts,
                claimed_at=old.claimed_at,
            )
        )
    # the same signature through both doors: the first row is kept
    Submission.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('api', '0002_portal_submission'),
        ('portal', '0001_initial'),
        ('engine', '0001_initial'),
        ('providers', '0001_initial'),
        ('regulations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Draft',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('variant', models.CharField(max_length=40)),
                    ('channel', models.CharField(max_length=40)),
                    ('data', models.JSONField(blank=True, default=dict)),
                    ('complete', models.BooleanField(default=False)),
                    ('payment_id', models.CharField(blank=True, max_length=40)),
                    ('payment_status', models.CharField(blank=True, max_length=16)),
                    ('payment_attempts', models.PositiveSmallIntegerField(default=0)),
                    ('state', models.CharField(choices=[('editing', 'being filled in'), ('submitted', 'submitted')], db_index=True, default='editing', max_length=16)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('application', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='portal_draft', to='engine.application')),
                    ('provider', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='providers.provider')),
                    ('regulation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regulations.regulation')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='portal_drafts', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'draft request',
                    'verbose_name_plural': 'draft requests',
                    'db_table': 'portal_draft',
                    'ordering': ['-updated_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='Attachment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('required', 'documents required by clause 9 of the Standard'), ('other', 'other documents')], max_length=16)),
                    ('name', models.CharField(max_length=255)),
                    ('content_type', models.CharField(max_length=40)),
                    ('size', models.PositiveIntegerField()),
                    ('sha256', models.CharField(max_length=64)),
                    ('content', models.BinaryField()),
                    ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                    ('draft', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='intake_online.draft')),
                ],
                options={
                    'db_table': 'portal_attachment',
                    'ordering': ['uploaded_at', 'id'],
                },
            ),
            ],
        ),
        migrations.CreateModel(
            name='Submission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('signature_sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the signature value')),
                ('applicant', models.CharField(db_index=True, max_length=12, verbose_name='IIN/BIN')),
                ('door', models.CharField(choices=[('web', 'web portal'), ('api', 'applicant API')], max_length=8)),
                ('provider', models.CharField(max_length=160)),
                ('service', models.CharField(max_length=80)),
                ('variant', models.CharField(max_length=40)),
                ('regulation', models.CharField(blank=True, max_length=120)),
                ('channel', models.CharField(blank=True, max_length=40)),
                ('payment_id', models.CharField(blank=True, max_length=40)),
                ('envelope', models.JSONField(blank=True, null=True)),
                ('status', models.CharField(choices=[('running', 'being processed'), ('filed', 'filed'), ('refused', 'refused'), ('waiting', 'waiting for a state database')], default='running', max_length=16)),
                ('step', models.CharField(blank=True, max_length=40, verbose_name='step that ended the walk')),
                ('message', models.JSONField(blank=True, null=True, verbose_name='refusal message (kk/ru/en)')),
                ('reason', models.TextField(blank=True)),
                ('attempts', models.PositiveIntegerField(default=1)),
                ('claimed_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('application', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='engine.application')),
                ('draft', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='submissions', to='intake_online.draft')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'signed submission',
                'verbose_name_plural': 'signed submissions',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('signature_sha256', 'applicant'), name='intake_online_one_submission_per_signature')],
            },
        ),
        migrations.RunPython(copy_ledgers, migrations.RunPython.noop),
    ]
