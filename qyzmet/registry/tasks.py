"""Issuing documents as background work: once the change they record is committed.

Rendering and signing take about half a second, so the engine never waits for them: it asks
for them after its commit (`issue_later`), and Celery makes them (in-process in the embedded
default). A document whose making fails is made on its first download by its owner or the
staff (documents.obtain_*); the change it records stands either way.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging

from celery import shared_task
from django.db import transaction

from qyzmet.engine.models import Application

from . import documents
from .models import RegisterEntry, RegisterEvent

log = logging.getLogger(__name__)

# Documents of bulk history (the demo's years of applications) are made on first download.
_on_demand = contextvars.ContextVar("documents_on_demand", default=False)


@contextlib.contextmanager
def made_on_first_download():
    """Within this block nothing is issued after commit; the documents are made when first asked
    for, as those of applications closed before documents were kept."""
    token = _on_demand.set(True)
    try:
        yield
    finally:
        _on_demand.reset(token)


def issue_later(application_id: int) -> None:
    """Issue what `documents.issue_for_application` would, once the enclosing transaction commits."""
    if _on_demand.get():
        return
    transaction.on_commit(lambda: issue_application_documents.delay(application_id))


def issue_documents_later(entry: RegisterEntry) -> None:
    """`documents.issue_documents(entry)` (and the rest of its application's), after the commit."""
    if entry.application_id is not None:
        issue_later(entry.application_id)


@shared_task(name="qyzmet.registry.issue_documents", autoretry_for=(Application.DoesNotExist,), max_retries=3)
def issue_application_documents(application_id: int) -> int:
    """Issue an application's documents not issued yet; returns how many it has now."""
    application = Application.objects.select_related("provider", "regulation").get(pk=application_id)
    try:
        return len(documents.issue_for_application(application))
    except Exception:
        # Made on its first download instead; the change it records stands.
        log.exception("issuing the documents of application %s failed", application.number)
        return 0


@shared_task(name="qyzmet.registry.publish_heads")
def publish_heads() -> dict[str, int]:
    """Celery beat: sign and publish the chain heads that moved (heads.publish)."""
    from . import heads

    published = heads.publish()
    return {"signed": len(published.signed), "broken": len(published.broken)}


def issue_decision_later(event: RegisterEvent) -> None:
    """The signed decision of a change of status, once the change is committed."""
    if _on_demand.get():
        return
    event_id = event.pk
    transaction.on_commit(lambda: issue_decision.delay(event_id))


@shared_task(
    name="qyzmet.registry.issue_decision", autoretry_for=(RegisterEvent.DoesNotExist,), max_retries=3
)
def issue_decision(event_id: int) -> str:
    """Render, sign and store the decision of a register event; returns its SHA-256."""
    event = RegisterEvent.objects.select_related("entry__provider", "entry__application").get(pk=event_id)
    try:
        return documents.issue_decision(event).sha256
    except Exception:
        # The change stands without it; the task may be run again for this event (idempotent).
        log.exception("issuing the decision of register event #%s failed", event.seq)
        return ""


@shared_task(name="qyzmet.registry.permit_terms")
def permit_terms() -> dict[str, int]:
    """Daily: permits past their term are recorded as expired; holders are reminded 30 days before."""
    from . import watch

    return watch.end_terms()


@shared_task(name="qyzmet.registry.watch_holders")
def watch_holders() -> dict[str, int]:
    """Daily: the state databases are asked whether each permit's holder still exists; a
    liquidation or death is proposed to the licensor as a termination, never recorded by itself."""
    from . import watch

    return watch.watch()
