"""The applicant is told when an application is filed and when it closes, whatever the channel,
and what a stop of the legal clock asks of them."""

from qyzmet.engine import events
from qyzmet.engine.models import Application
from qyzmet.outbox.subscribers import subscriber

from .notify import CLOSED, FILED, PAUSED, RESUMED, notify_status


@subscriber("notifications.tell_applicant", events.FILED, events.CLOSED)
def tell_applicant(event) -> None:
    """Each (application, channel, notice) is sent at most once (`notify_status`), so handing
    the same event again sends nothing twice."""
    application = Application.objects.select_related("provider", "applicant_user", "regulation").get(
        pk=event.subject_id
    )
    notify_status(application, FILED if event.kind == events.FILED else CLOSED)


@subscriber("notifications.tell_applicant_of_pause", events.PAUSED, events.RESUMED)
def tell_applicant_of_pause(event) -> None:
    """A stop of the clock that asks the applicant something is told to them (what is asked), and
    so is the clock's restart; a stop for the platform's own reasons (a state database) is not."""
    pause_id = event.data.get("pause")
    if pause_id is None:
        return
    application = Application.objects.select_related("provider", "applicant_user", "regulation").get(
        pk=event.subject_id
    )
    pause = application.pauses.get(pk=pause_id)
    if not pause.asked:
        return
    notify_status(application, f"{PAUSED if event.kind == events.PAUSED else RESUMED}:{pause_id}")
