"""An application that ends in a result (issued, or deemed issued when the term lapsed) is entered
in the register once its closing is committed: the register subscribes to the engine's
`application_closed` event. Refusals and meeting protocols are issued as signed documents the
same way (results are issued by `enter_result` itself)."""

from qyzmet.engine import events
from qyzmet.engine.models import Application, Status
from qyzmet.outbox.subscribers import subscriber

from . import services, tasks


@subscriber("registry.enter_result", events.CLOSED)
def enter_issued(event) -> None:
    """An issued permit is entered (its result is issued by `enter_result`); a refusal is issued
    as a signed document. `enter_result` returns the entry already made when handed the same
    event again, and documents are made once."""
    status = event.data.get("status")
    if status in services.ISSUING_STATUSES:
        services.enter_result(Application(pk=event.subject_id), at=event.at)
    elif status == Status.REFUSED:
        tasks.issue_later(event.subject_id)


@subscriber("registry.issue_documents", events.PROTOCOL_RECORDED)
def issue_protocol(event) -> None:
    """A meeting's protocol, made and stored once."""
    tasks.issue_later(event.subject_id)
