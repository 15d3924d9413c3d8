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
    """`enter_result` returns the entry already made when handed the same event again."""
    if event.data.get("status") not in services.ISSUING_STATUSES:
        return
    services.enter_result(Application(pk=event.subject_id), at=event.at)


@subscriber("registry.issue_documents", events.CLOSED, events.PROTOCOL_RECORDED)
def issue_documents(event) -> None:
    """A refusal or a protocol, made and stored once; those already issued are left alone."""
    if event.kind == events.CLOSED and event.data.get("status") != Status.REFUSED:
        return
    tasks.issue_later(event.subject_id)
