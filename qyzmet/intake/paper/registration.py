"""Filing a complete paper set through the channel, once, or queuing it while a state database is down.

    row = register(desk="office", provider=..., regulation=row, channel="provider_office", ...)
    row.status  # filed (row.application) | refused (row.message) | waiting (queued, retried)

The set is saved as a `Registration` before the channel is walked, so nothing the desk accepted
depends on this process. Each try (`attempt`) makes its outside calls first, outside any
transaction: the identification where the desk could not do it, then the channel's checks
(`channels.walk`); their evidence rows (`DataLookup`) stay whatever
follows. Only then one transaction files the application (`channels.hand_over`), attaches the
scans, marks the registration filed by a conditional update (so two workers never file it
twice) and sends `settled`, for the desk's own records (a centre's acceptance), in the same
transaction. A state database that does not answer leaves the registration waiting;
`retry_due` (the Celery task in `tasks.py`, run in-process by the embedded scheduler) tries it
again with growing pauses until the channel files or refuses it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet import clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import record
from qyzmet.engine import channels
from qyzmet.gateway.lookups import CLAIM_SECONDS, retry_pause

from . import reception
from .models import Registration, ScannedDocument
from .reception import ReceptionError, ServiceChoice

log = logging.getLogger(__name__)

# Sent inside the transaction that files or refuses a registration, with `registration=`.
settled = Signal()

WAITING, FILED, REFUSED = (
    Registration.Status.WAITING,
    Registration.Status.FILED,
    Registration.Status.REFUSED,
)


def needs_applicant_signature(reg, channel: str) -> bool:
    """A channel that checks the applicant's EDS cannot be served on paper (no catalogue's is)."""
    return any(step.check == "eds" for step in reg.channel(channel).steps)


def register(
    *,
    desk: str,
    provider,
    regulation,
    channel: str,
    variant: str,
    applicant: str,
    applicant_name: str,
    data: dict,
    initiated_by: str,
    staff=None,
    scans: list[dict] = (),
    reference: str = "",
    identify: bool = False,
    lookup_id: int | None = None,
    at: dt.datetime | None = None,
) -> Registration:
    """Save a complete set for registration with the provider and send it through the channel now.

    Call it outside any transaction. `scans` are checked uploads (`portal.uploads.check`);
    `identify` asks for the applicant's identification first (the desk had no answer).
    """
    if needs_applicant_signature(regulation.parsed, channel):
        raise ReceptionError(
            _("This channel needs the applicant's EDS; the applicant applies on the portal.")
        )
    now = at or clock.now()
    with transaction.atomic():
        row = Registration.objects.create(
            desk=desk,
            reference=reference,
            provider=provider,
            regulation=regulation,
            channel=channel,
            variant=variant,
            applicant=applicant,
            applicant_name=applicant_name,
            data=data,
            staff=staff,
            initiated_by=initiated_by,
            received_at=now,
            identify=identify,
            lookup_id=lookup_id,
            # Claimed by this request: the retry leaves it alone while the desk tries it.
            next_attempt_at=timezone.now() + dt.timedelta(seconds=CLAIM_SECONDS),
        )
        ScannedDocument.objects.bulk_create(
            ScannedDocument(
                registration=row,
                name=scan["name"],
                content_type=scan["content_type"],
                size=scan["size"],
                sha256=scan["sha256"],
                content=scan["content"],
                uploaded_by=staff,
                uploaded_at=now,
            )
            for scan in scans
        )
    return attempt(row, at=now)


def file_paper_application(
    choice: ServiceChoice,
    variant: str,
    applicant: str,
    applicant_name: str,
    scans: list[dict],
    clerk,
    phone: str = "",
    at=None,
) -> Registration:
    """The provider's office registers a complete paper set: filed, refused by the channel, or queued."""
    labels = [label for _code, label in reception.required_documents(choice.regulation.parsed, variant)]
    data = {
        "documents": labels + [scan["name"] for scan in scans],
        "received_on_paper": True,
        "accepted_by": clerk.get_username(),
    }
    if phone:
        data["phone"] = phone
    return register(
        desk=Registration.Desk.OFFICE,
        provider=choice.provider,
        regulation=choice.regulation,
        channel=choice.channel,
        variant=variant,
        applicant=applicant,
        applicant_name=applicant_name,
        data=data,
        initiated_by=clerk.get_username(),
        staff=clerk,
        scans=scans,
        at=at,
    )


# One try ------------------------------------------------------------------------------------


def _submission(row: Registration, at: dt.datetime) -> channels.Submission:
    return channels.Submission(
        regulation=row.regulation,
        provider=row.provider,
        channel=row.channel,
        variant=row.variant,
        applicant=row.applicant,
        authenticated=True,  # the clerk's or operator's log-in to the information system
        signed_request=None,  # paper: no applicant EDS (a centre's request carries the operator's)
        documents_complete=True,  # an incomplete set is refused at the desk and never gets here
        initiated_by=row.initiated_by,
        applicant_name=row.applicant_name,
        data=dict(row.data),
        at=at,
    )


def attempt(row: Registration, at: dt.datetime | None = None) -> Registration:
    """Try a registration the caller has claimed: identify, walk the channel, then file or refuse or wait.

    Outside any transaction: the outside calls come first, the one filing transaction after them.
    """
    now = at or clock.now()
    reg = row.regulation.parsed
    if row.identify:
        identity = reception.identify(
            row.applicant,
            purpose=f"{reg.id} {row.channel}: identification of the applicant at reception",
            by=row.initiated_by,
        )
        if identity.unavailable:
            return _wait(row, identity.error)
        row.identify, row.lookup_id = False, identity.lookup_id
        row.applicant_name = row.applicant_name or identity.name
        Registration.objects.filter(pk=row.pk).update(
            identify=False, lookup_id=row.lookup_id, applicant_name=row.applicant_name
        )
        checks = {s.check for s in reg.channel(row.channel).steps if s.check}
        if not identity.found and "applicant_record" not in checks:
            # The channel does not look the applicant up itself: the desk's rule (Art. 20) refuses.
            return _settle(
                row, REFUSED, reception.NOT_IDENTIFIED_MESSAGE, "applicant not in the state database"
            )
    sub = _submission(row, now)
    walked = channels.walk(sub)
    if not isinstance(walked, channels.Ready):
        if walked.status == "waiting":
            return _wait(row, walked.reason)
        if walked.status == "refused":
            return _settle(row, REFUSED, walked.message, walked.reason)
        # the channel ended with a result of its own: nothing to file
        return _settle(row, FILED, None, "the channel ended without the provider")
    try:
        return _file(row, sub, walked)
    except _LostAtFiling as lost:  # the filing itself refused (a payment used meanwhile): rolled back
        return _settle(row, REFUSED, lost.result.message, lost.result.reason)
    except Exception as exc:  # noqa: BLE001 - whatever failed, the filing rolled back and the set waits
        log.exception("registration %s: filing failed; it waits for the next try", row.pk)
        return _wait(row, f"filing failed: {exc}")


def _wait(row: Registration, error: str) -> Registration:
    Registration.objects.filter(pk=row.pk, status=WAITING).update(
        attempts=F("attempts") + 1,
        last_error=error,
        next_attempt_at=timezone.now() + retry_pause(row.attempts + 1),
    )
    row.refresh_from_db()
    return row


def _settle(row: Registration, status: str, message: dict | None, reason: str) -> Registration:
    with transaction.atomic():
        if Registration.objects.filter(pk=row.pk, status=WAITING).update(
            status=status, message=message, reason=reason, attempts=F("attempts") + 1, last_error=""
        ):
            row.refresh_from_db()
            record(
                row.initiated_by,
                AuditAction.PAPER_REGISTRATION_FILED
                if status == FILED
                else AuditAction.PAPER_REGISTRATION_REFUSED,
                ("applicant", row.applicant),
                {"registration": row.pk, "desk": row.desk, "reference": row.reference, "reason": reason},
            )
            settled.send(sender=Registration, registration=row)
    row.refresh_from_db()
    return row


class _LostAtFiling(Exception):
    def __init__(self, result: channels.ChannelResult):
        super().__init__(result.reason)
        self.result = result


def _file(row: Registration, sub: channels.Submission, walked: channels.Ready) -> Registration:
    with transaction.atomic():
        # The conditional update is the once-only gate: a second worker finds it filed and stops.
        if not Registration.objects.filter(pk=row.pk, status=WAITING).update(
            status=FILED, attempts=F("attempts") + 1, last_error=""
        ):
            row.refresh_from_db()
            return row
        result = channels.hand_over(sub, walked)
        if result.status != "filed":
            raise _LostAtFiling(result)
        app = result.application
        Registration.objects.filter(pk=row.pk).update(application=app)
        scans = list(row.scans.defer("content"))
        row.scans.update(application=app)
        at = walked.at
        if scans:
            record(
                row.staff or row.initiated_by,
                AuditAction.PAPER_DOCUMENTS_SCANNED,
                app,
                {"files": [{"name": s.name, "sha256": s.sha256, "size": s.size} for s in scans]},
                at=at,
            )
        row.refresh_from_db()
        record(
            row.initiated_by,
            AuditAction.PAPER_REGISTRATION_FILED,
            app,
            {
                "registration": row.pk,
                "desk": row.desk,
                "reference": row.reference,
                "received_at": row.received_at,
                "attempts": row.attempts,
            },
            at=at,
        )
        settled.send(sender=Registration, registration=row)
    return row


# The queue ----------------------------------------------------------------------------------


def claim(row: Registration, now: dt.datetime | None = None) -> bool:
    """Take a waiting registration for one try: a conditional update only one worker can win."""
    now = now or timezone.now()
    return (
        Registration.objects.filter(pk=row.pk, status=WAITING, next_attempt_at=row.next_attempt_at).update(
            next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS)
        )
        == 1
    )


def try_now(row: Registration) -> Registration:
    """Send a waiting registration again at once (the operator asks); a claimed one is left alone."""
    row.refresh_from_db()
    if row.status == WAITING and claim(row):
        return attempt(row)
    return row


def retry_due(limit: int = 100, now: dt.datetime | None = None) -> dict[str, int]:
    """Try the waiting registrations whose time has come; counts of what became of them."""
    now = now or timezone.now()
    counts = {FILED.value: 0, REFUSED.value: 0, WAITING.value: 0}
    due = Registration.objects.filter(status=WAITING, next_attempt_at__lte=now).select_related(
        "regulation", "provider", "staff"
    )[:limit]
    for row in list(due):
        if claim(row, now):
            counts[attempt(row).status] += 1
    return counts


def waiting_for(row: Registration) -> str:
    """What the desk tells its clerk or operator about a queued registration (kk/ru/en)."""
    return _(
        "A state database does not answer (%(error)s). The documents are accepted and the "
        "registration is queued: it is sent again automatically and filed with the provider as "
        "soon as the database answers. Nothing more is needed at the desk. Tries so far: "
        "%(attempts)s; the next one after %(next)s."
    ) % {
        "error": row.last_error or "—",
        "attempts": row.attempts,
        "next": timezone.localtime(row.next_attempt_at).strftime("%d.%m.%Y %H:%M:%S"),
    }
