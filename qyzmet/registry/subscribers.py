"""An application that ends in a result (issued, or deemed issued when the term lapsed) is entered
in the register once its closing is committed: the register subscribes to the engine's
`application_closed` event."""

from qyzmet.engine import events
from qyzmet.engine.models import Application
from qyzmet.outbox.subscribers import subscriber

from . import services


@subscriber("registry.enter_result", events.CLOSED)
def enter_issued(event) -> None:
    """`enter_result` returns the entry already made when handed the same event again."""
    if event.data.get("status") not in services.ISSUING_STATUSES:
        return
    services.enter_result(Application(pk=event.subject_id), at=event.at)
