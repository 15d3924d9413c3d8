"""The applicant is told when an application is filed and when it closes, whatever the channel."""

from qyzmet.engine import events
from qyzmet.engine.models import Application
from qyzmet.outbox.subscribers import subscriber

from .notify import CLOSED, FILED, notify_status


@subscriber("notifications.tell_applicant", events.FILED, events.CLOSED)
def tell_applicant(event) -> None:
    """Each (application, channel, notice) is sent at most once (`notify_status`), so handing
    the same event again sends nothing twice."""
    application = Application.objects.select_related("provider", "applicant_user", "regulation").get(
        pk=event.subject_id
    )
    notify_status(application, FILED if event.kind == events.FILED else CLOSED)
