"""Celery tasks of the portal: telling applicants about their applications."""

from celery import shared_task

from qyzmet.engine.models import Application


@shared_task(name="qyzmet.portal.notify", autoretry_for=(Application.DoesNotExist,), max_retries=3)
def notify(application_id: int) -> int:
    """Send what the application's status calls for; returns how many messages were made."""
    from .notify import notify_status

    application = Application.objects.select_related("provider", "applicant_user").get(pk=application_id)
    return len(notify_status(application))
