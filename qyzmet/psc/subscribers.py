"""The centre learns that the provider has decided an application it accepted: the engine's
`application_closed` event marks the acceptance decided, so its page shows that the result (or
the reasoned refusal) is now due to be sent to the centre."""

from qyzmet.engine import events
from qyzmet.outbox.subscribers import subscriber

from .models import Acceptance


@subscriber("psc.result_due", events.CLOSED)
def result_due(event) -> None:
    """Only the first decision is kept, so handing the same event again changes nothing."""
    Acceptance.objects.filter(application_id=event.subject_id, decided_at__isnull=True).update(
        decided_at=event.at
    )
