"""Lookups in the state databases, kept as evidence, and queued when a system is unavailable.

    lookup = look_up("individuals", iin, purpose="applicant identity", application_number=n)
    lookup.answer["surname"]

`look_up` records every answer as a `DataLookup` (also "no record": that is what a refusal
with the regulation's "data cannot be obtained" rests on) and raises `NotFound` after
recording it. `Unavailable` is raised without a record: nothing was learnt.

`look_up_or_queue` is for flows that must not lose the application: on `Unavailable` it saves
a `PendingLookup` and returns it; `retry_due` (run by the Celery task in `tasks.py`) tries
the due ones again with growing pauses until each gets an answer.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .clients import BaseClient, client_for, new_correlation_id
from .errors import NotFound, Unavailable
from .models import DataLookup, PendingLookup

# The state-database operation of each system a lookup can ask.
OPERATIONS = {"individuals": "person", "legal_entities": "entity", "tax": "debts"}

# Pauses between retries of a pending lookup: 1, 2, 4 ... minutes, at most an hour; settings
# may shorten them (tests) or lengthen them. Unlike a call's own retries these wait for a
# system to come back, so they are long and never give up.
PENDING_BACKOFF_BASE = 60.0
PENDING_BACKOFF_MAX = 3600.0
# How long a worker owns a pending lookup it took; another worker may take it after that.
CLAIM_SECONDS = 300


def _ask(client: BaseClient, system: str, number: str, correlation_id: str) -> dict:
    return getattr(client, OPERATIONS[system])(number, correlation_id=correlation_id)


def look_up(
    system: str,
    number: str,
    *,
    purpose: str,
    initiated_by: str = "portal",
    application_number: str | None = None,
    correlation_id: str | None = None,
    client: BaseClient | None = None,
) -> DataLookup:
    """Ask a state database about `number` and keep the answer as evidence."""
    if system not in OPERATIONS:
        raise ValueError(f"{system!r} is not a state database; use one of {', '.join(OPERATIONS)}")
    if not purpose:
        raise ValueError("a lookup of personal data needs a purpose")
    client = client or client_for(system)
    correlation_id = correlation_id or new_correlation_id()
    evidence = {
        "application_number": application_number,
        "subject": number.strip(),
        "system": system,
        "purpose": purpose,
        "initiated_by": initiated_by,
        "correlation_id": correlation_id,
    }
    try:
        answer = _ask(client, system, number, correlation_id)
    except NotFound as exc:
        exc.lookup = DataLookup.objects.create(
            **evidence, found=False, answer=None, message=client.last_message
        )
        raise
    related = (answer.get("head") or {}).get("iin", "") if system == "legal_entities" else ""
    return DataLookup.objects.create(
        **evidence, found=True, answer=answer, related_iin=related, message=client.last_message
    )


def look_up_person(iin: str, **kwargs) -> DataLookup:
    return look_up("individuals", iin, **kwargs)


def look_up_entity(bin_: str, **kwargs) -> DataLookup:
    return look_up("legal_entities", bin_, **kwargs)


def look_up_tax_debts(number: str, **kwargs) -> DataLookup:
    return look_up("tax", number, **kwargs)


def retry_pause(attempts: int) -> dt.timedelta:
    """The pause before the next try of work that waits for a system (after `attempts` tries)."""
    base = getattr(settings, "QYZMET_GATEWAY_PENDING_BACKOFF_BASE", PENDING_BACKOFF_BASE)
    cap = getattr(settings, "QYZMET_GATEWAY_PENDING_BACKOFF_MAX", PENDING_BACKOFF_MAX)
    return dt.timedelta(seconds=min(cap, base * 2 ** (attempts - 1)))


def look_up_or_queue(
    system: str,
    number: str,
    *,
    purpose: str,
    initiated_by: str = "portal",
    application_number: str | None = None,
    correlation_id: str | None = None,
) -> DataLookup | PendingLookup:
    """Like `look_up`, but an unavailable system gives a saved `PendingLookup`, not an error.

    `NotFound` is still raised: the caller must tell the applicant.
    """
    correlation_id = correlation_id or new_correlation_id()
    try:
        return look_up(
            system,
            number,
            purpose=purpose,
            initiated_by=initiated_by,
            application_number=application_number,
            correlation_id=correlation_id,
        )
    except Unavailable as exc:
        return PendingLookup.objects.create(
            system=system,
            subject=number.strip(),
            purpose=purpose,
            initiated_by=initiated_by,
            application_number=application_number,
            correlation_id=correlation_id,
            attempts=1,
            last_error=f"{exc.outcome}: {exc}",
            next_attempt_at=timezone.now() + retry_pause(1),
        )


def _claim(pending: PendingLookup, now: dt.datetime) -> bool:
    """Take a due row for this worker: a conditional update that only one worker can win."""
    taken = PendingLookup.objects.filter(
        id=pending.id, status=PendingLookup.WAITING, next_attempt_at=pending.next_attempt_at
    ).update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
    return taken == 1


def retry_one(pending: PendingLookup) -> str:
    """Try a claimed pending lookup once; returns its new status."""
    pending.attempts += 1
    try:
        # No transaction around it: a failed try must leave its Message row behind.
        lookup = look_up(
            pending.system,
            pending.subject,
            purpose=pending.purpose,
            initiated_by=pending.initiated_by,
            application_number=pending.application_number,
            correlation_id=pending.correlation_id,
        )
    except NotFound as exc:
        pending.status, pending.lookup, pending.last_error = PendingLookup.NOT_FOUND, exc.lookup, ""
    except Unavailable as exc:
        pending.last_error = f"{exc.outcome}: {exc}"
        pending.next_attempt_at = timezone.now() + retry_pause(pending.attempts)
    else:
        pending.status, pending.lookup, pending.last_error = PendingLookup.DONE, lookup, ""
    pending.save(
        update_fields=["attempts", "status", "lookup", "last_error", "next_attempt_at", "updated_at"]
    )
    return pending.status


def retry_due(limit: int = 100, now: dt.datetime | None = None) -> dict[str, int]:
    """Retry the pending lookups whose time has come; counts of what became of them."""
    now = now or timezone.now()
    counts = {PendingLookup.DONE: 0, PendingLookup.NOT_FOUND: 0, PendingLookup.WAITING: 0}
    due = PendingLookup.objects.filter(status=PendingLookup.WAITING, next_attempt_at__lte=now)[:limit]
    for pending in list(due):
        if _claim(pending, now):
            counts[retry_one(pending)] += 1
    return counts
