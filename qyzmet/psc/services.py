"""What happens at a Population Service Centre: named functions, each one transaction and one audit entry.

    ticket = issue_ticket(centre)                  # the electronic queue
    call_next(centre, operator, window="3")
    acceptance = accept(centre=..., operator=..., regulation=row, provider=..., variant="issue",
                        applicant=iin, documents=["standard", "inventory"], consent=True)
    receive(transfer, by)                          # documents at the provider / result at the centre
    send_result(acceptance, by); hand_over(acceptance, operator, handed_to="...")
    return_uncollected(acceptance, by)             # after the storage period

Reception at the counter (identification, the checklist, the refusal of an incomplete set, the
filing through the regulation's `psc` channel, and the queue that files it once a state
database that was down answers again) is the paper intake's (`qyzmet.intake.paper`), the same
as at a provider's office; this module keeps what only a centre does. What the channel does not
say comes from the law and is marked as such:

- An incomplete set is refused by the operator (Law on state services Art. 20; law-facts 34),
  with the channel's own message where the channel has a completeness check.
- The day of acceptance is not counted in the term (Art. 20): the acceptance is recorded with its
  moment, and the application is registered with the provider when the documents reach it, i.e.
  after the channel's courier step (a norm in hours, e.g. 3 hours) or at once when the operator
  sends the request electronically; terms count from the day after registration in any case.
- Transfers are due by the channel's courier norms (the operator's steps with a norm in hours)
  on the provider's calendar. Where the channel gives none for the way back, the provider must
  deliver the result to the centre at least one day before the term ends (Art. 5 p.2).
- Uncollected results: the seeds are silent on how long a centre keeps them. Reading: they are
  kept `settings.QYZMET_PSC_STORAGE_DAYS` calendar days (30 by default, the one month of later
  Standards) and then returned to the provider.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet import access, clock
from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import record
from qyzmet.engine import channels, paths
from qyzmet.engine.models import OPEN_STATUSES
from qyzmet.intake.paper import reception as paper
from qyzmet.intake.paper import registration
from qyzmet.intake.paper.models import Registration
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation

from .models import ACTS_AS, OPERATOR, Acceptance, Ticket, Transfer

DEFAULT_STORAGE_DAYS = 30
STORAGE_READING = (
    "The seeds do not say how long a Population Service Centre keeps a result nobody collected; "
    "it is kept QYZMET_PSC_STORAGE_DAYS calendar days (30 by default, the one month later Standards "
    "give) and then returned to the provider."
)
RESULT_DELIVERY_LAW = (
    "Law on state services Art. 5 p.2: the result reaches the centre a day before the term ends"
)


class PscError(Exception):
    """Something the centre cannot do; the message is for the operator."""


def storage_days() -> int:
    return int(getattr(settings, "QYZMET_PSC_STORAGE_DAYS", DEFAULT_STORAGE_DAYS))


# Who and what -------------------------------------------------------------------------------


def _require_operator(user, centre: Provider) -> None:
    if centre.acts_as != ACTS_AS:
        raise PscError(_("%(code)s is not a service centre.") % {"code": centre.code})
    if not access.is_operator_of(user, centre):
        raise PscError(_("You are not an operator of this centre."))


def psc_services(on: dt.date | None = None) -> list[tuple[Provider, Regulation]]:
    """(provider, regulation) pairs a centre accepts for on `on`: regulations in force with a psc channel."""
    on = on or clock.today()
    pairs = []
    for row in Regulation.objects.in_force(on).order_by("pk"):
        if row.parsed.channel("psc") is None:
            continue
        for provider in Provider.objects.filter(acts_as=row.provider_code).order_by("code"):
            pairs.append((provider, row))
    return pairs


def _walk_to_handover(flow, variant: str) -> tuple[list, object]:
    """The channel's steps before the hand-over to the provider, and the hand-over step."""
    before = []
    for step, _outcome in flow.walk(lambda step: paths.choose(step, variant)):
        if step.procedure or (step.kind == "condition" and step.check in channels.PROVIDER_CHECKS):
            return before, step
        before.append(step)
    return before, None


def _is_courier(step) -> bool:
    """The operator carries paper: a step of the centre's operator with a norm in hours."""
    return step.actor == OPERATOR and step.norm is not None and step.norm.unit == "hours"


def documents_transfer_step(reg, variant: str):
    """The channel's step that carries the documents to the provider, or None when sent electronically."""
    before, _handover = _walk_to_handover(reg.channel("psc"), variant)
    return next((s for s in reversed(before) if _is_courier(s)), None)


def result_transfer_step(reg, variant: str, refused: bool):
    """The channel's step that brings the result (or refusal) back to the centre, if it gives one."""
    flow = reg.channel("psc")
    _before, handover = _walk_to_handover(flow, variant)
    if handover is None or not handover.branches:
        return None
    whens = [b.when for b in handover.branches]
    outcome = (
        next((w for w in paths.REFUSING if w in whens), whens[-1])
        if refused
        else paths.choose(handover, variant)
    )

    def variant_only(step) -> str | None:
        # After the hand-over only the variant's own branch is followed; any other ends the search.
        return variant if any(b.when == variant for b in step.branches) else None

    after = flow.walk(variant_only, start=handover.after(outcome))
    return next((step for step, _outcome in after if _is_courier(step)), None)


# The queue ----------------------------------------------------------------------------------


def issue_ticket(centre: Provider, at: dt.datetime | None = None) -> Ticket:
    """The next number of the day's queue at the centre (numbers start at 1 each day)."""
    now = at or clock.now()
    day = timezone.localtime(now).date()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                last = Ticket.objects.filter(centre=centre, day=day).aggregate(n=Max("number"))["n"] or 0
                ticket = Ticket.objects.create(centre=centre, day=day, number=last + 1, issued_at=now)
                record(
                    "queue",
                    AuditAction.PSC_TICKET_ISSUED,
                    ticket,
                    {"centre": centre.code, "number": ticket.number},
                    at=now,
                )
                return ticket
        except IntegrityError:  # two kiosks took the same number at once: take the next one
            continue
    raise PscError(_("The queue is busy; take a ticket again."))


def waiting_tickets(centre: Provider, day: dt.date | None = None):
    day = day or clock.today()
    return Ticket.objects.filter(centre=centre, day=day, called_at__isnull=True).order_by("number")


def call_next(centre: Provider, operator, window: str = "", at: dt.datetime | None = None) -> Ticket | None:
    """Call the first waiting ticket of the day to the operator's window; None when nobody waits."""
    _require_operator(operator, centre)
    now = at or clock.now()
    for ticket in waiting_tickets(centre, timezone.localtime(now).date())[:5]:
        with transaction.atomic():
            # Conditional update: two operators calling at once never get the same ticket.
            if Ticket.objects.filter(pk=ticket.pk, called_at__isnull=True).update(
                called_at=now, called_by=operator, window=window
            ):
                ticket.refresh_from_db()
                record(
                    operator,
                    AuditAction.PSC_TICKET_CALLED,
                    ticket,
                    {"number": ticket.number, "window": window},
                    at=now,
                )
                return ticket
    return None


# Acceptance ---------------------------------------------------------------------------------


def accept(
    *,
    centre: Provider,
    operator,
    regulation: Regulation,
    provider: Provider,
    variant: str,
    applicant: str,
    documents: list[str],
    consent: bool,
    applicant_name: str = "",
    ticket: Ticket | None = None,
    at: dt.datetime | None = None,
) -> Acceptance:
    """Accept (or refuse) an applicant's documents for a service of the regulation's psc channel.

    The applicant is identified (the operator's duty, Art. 20) before the acceptance's
    transaction; when the state database does not answer, the documents are still accepted and
    their registration waits for it (`qyzmet.intake.paper.registration`)."""
    from qyzmet.identity.numbers import problem

    _require_operator(operator, centre)
    if not consent:
        raise PscError(
            _("The applicant's written consent to use personal data is required; nothing was accepted.")
        )
    if problem(applicant):
        raise PscError(
            _("IIN/BIN %(number)s: %(problem)s") % {"number": applicant, "problem": problem(applicant)}
        )
    reg = regulation.parsed
    flow = reg.channel("psc")
    if flow is None:
        raise PscError(_("%(id)s is not provided through service centres.") % {"id": reg.id})
    if provider.acts_as != regulation.provider_code:
        raise PscError(_("%(provider)s does not provide this service.") % {"provider": provider.code})
    if reg.variant(variant) is None:
        raise PscError(_("%(id)s has no variant %(variant)s") % {"id": reg.id, "variant": variant})
    if registration.needs_applicant_signature(reg, "psc"):
        raise PscError(_("This channel needs the applicant's EDS; the applicant applies on the portal."))
    now = at or clock.now()
    # The acceptance form is one for every service, so it asks for the regulation's list with one
    # tick ("standard"): it stands for each document the list gives for the variant.
    if "standard" in documents:
        documents = [*documents, *(doc.code for doc in reg.documents_for(variant))]
    checklist = paper.check_documents(reg, documents, variant)
    refusal = paper.completeness(reg, "psc", paper.PSC, checklist)
    identity = paper.identify(
        applicant,
        purpose=f"{reg.id} psc: identification of the applicant at acceptance",
        by=operator.get_username(),
    )
    checks = {s.check for s in flow.steps if s.check}
    register_now = False

    with transaction.atomic():
        acceptance = Acceptance.objects.create(
            number=f"new-{uuid.uuid4().hex[:24]}",  # replaced below, once the row has its id
            centre=centre,
            ticket=ticket,
            operator=operator,
            regulation=regulation,
            provider=provider,
            variant=variant,
            applicant=applicant,
            applicant_name=applicant_name or identity.name,
            identified=identity.found is True,
            lookup_id=identity.lookup_id,
            consent_at=now,
            documents=checklist.presented,
            missing=checklist.missing,
            accepted_at=now,
            state=Acceptance.State.WAITING,
        )
        acceptance.number = f"{centre.code.upper()}-{timezone.localtime(now):%y%m%d}-{acceptance.pk:06d}"
        acceptance.save(update_fields=["number"])
        courier = documents_transfer_step(reg, variant)
        if refusal is not None:
            _refuse(acceptance, refusal.message, f"documents incomplete ({refusal.basis})")
        elif identity.found is False and "applicant_record" not in checks:
            _refuse(acceptance, paper.NOT_IDENTIFIED_MESSAGE, "applicant not in the state database")
        elif courier is not None:
            due = provider.calendar().due(now, courier.norm)
            Transfer.objects.create(
                acceptance=acceptance,
                direction=Transfer.Direction.DOCUMENTS,
                sent_at=now,
                sent_by=operator.get_username(),
                due_at=due,
                basis=f"psc {courier.id}",
            )
            acceptance.state = Acceptance.State.IN_TRANSIT
            acceptance.save(update_fields=["state"])
        else:
            register_now = True  # sent electronically: registered with the provider now
        record(
            operator,
            AuditAction.PSC_ACCEPTED
            if acceptance.state != Acceptance.State.REFUSED
            else AuditAction.PSC_REFUSED,
            acceptance,
            {
                "number": acceptance.number,
                "regulation": reg.id,
                "provider": provider.code,
                "applicant": applicant,
                "identified": identity.found,
                "consent_at": now,
                "missing": checklist.missing,
                "state": acceptance.state,
                "ticket": ticket.number if ticket else None,
            },
            at=now,
        )
    if register_now:
        _register(acceptance, now)
    return acceptance


def _refuse(acceptance: Acceptance, message: dict, reason: str) -> None:
    acceptance.state = Acceptance.State.REFUSED
    acceptance.message, acceptance.reason = message, reason
    acceptance.save(update_fields=["state", "message", "reason"])


def _register(acceptance: Acceptance, at: dt.datetime) -> Registration:
    """Send the acceptance's request to the provider through the psc channel (outside a transaction).

    The paper intake files it, refuses it or queues it; `on_registration_settled` moves the
    acceptance along in the transaction that files or refuses it."""
    row = registration.register(
        desk=Registration.Desk.PSC,
        reference=acceptance.number,
        provider=acceptance.provider,
        regulation=acceptance.regulation,
        channel="psc",
        variant=acceptance.variant,
        applicant=acceptance.applicant,
        applicant_name=acceptance.applicant_name,
        data={
            "documents": list(acceptance.documents),
            "psc": {
                "centre": acceptance.centre.code,
                "receipt": acceptance.number,
                "accepted_at": acceptance.accepted_at.isoformat(),
            },
            "operator_signature": _operator_signature(acceptance),
        },
        initiated_by=acceptance.operator.get_username(),  # the operator's log-in (P1)
        staff=acceptance.operator,
        # The desk could not identify the applicant (no answer): the registration does it first.
        identify=acceptance.lookup_id is None,
        lookup_id=acceptance.lookup_id,
        at=at,
    )
    acceptance.refresh_from_db()
    return row


def on_registration_settled(sender, registration: Registration, **kwargs) -> None:
    """A centre's registration was filed or refused: its acceptance follows, in the same transaction."""
    from qyzmet.gateway.models import DataLookup

    if registration.desk != Registration.Desk.PSC:
        return
    acceptance = Acceptance.objects.select_for_update().filter(number=registration.reference).first()
    if acceptance is None or acceptance.state != Acceptance.State.WAITING:
        return
    if registration.status == Registration.Status.FILED:
        acceptance.state, acceptance.application = Acceptance.State.AT_PROVIDER, registration.application
    else:
        acceptance.state, acceptance.message = Acceptance.State.REFUSED, registration.message
    acceptance.reason = registration.reason
    if registration.lookup_id and acceptance.lookup_id is None:
        acceptance.lookup_id = registration.lookup_id
        acceptance.identified = DataLookup.objects.filter(pk=registration.lookup_id, found=True).exists()
    acceptance.applicant_name = acceptance.applicant_name or registration.applicant_name
    acceptance.save(
        update_fields=[
            "state",
            "application",
            "message",
            "reason",
            "lookup_id",
            "identified",
            "applicant_name",
        ]
    )


def waiting_registration(acceptance: Acceptance) -> Registration | None:
    """The queued registration of an acceptance waiting for a state database, if any."""
    if acceptance.state != Acceptance.State.WAITING:
        return None
    return (
        Registration.objects.filter(
            desk=Registration.Desk.PSC, reference=acceptance.number, status=Registration.Status.WAITING
        )
        .order_by("-id")
        .first()
    )


def _operator_signature(acceptance: Acceptance) -> dict:
    """The centre certifies the request it sends with its EDS (the psc tables' "operator signs").

    The request names the applicant it was accepted for; the signature is the centre's official
    key (an employee certificate with the centre's BIN) and is verified before it is sent.
    """
    from qyzmet.pki.ca import subject_numbers
    from qyzmet.pki.signing import sign
    from qyzmet.pki.verify import verify_signed_request
    from qyzmet.registry.keys import signer_for

    signer = signer_for(acceptance.centre)
    iin, bin_ = subject_numbers(signer.certificate)
    request = {
        "iin": iin,
        "bin": bin_,
        "applicant": acceptance.applicant,
        "regulation": acceptance.regulation_id,
        "variant": acceptance.variant,
        "receipt": acceptance.number,
        "operator": acceptance.operator.get_username(),
    }
    envelope = sign(request, signer.private_key, signer.certificate)
    check = verify_signed_request(envelope)
    if not check.valid:
        raise PscError(
            _("The centre's signature could not be verified: %(reason)s") % {"reason": check.detail}
        )
    return envelope


def resubmit(acceptance: Acceptance, by, at: dt.datetime | None = None) -> Acceptance:
    """Send a request that waits for a state database again now, without waiting for the queue."""
    now = at or clock.now()
    acceptance.refresh_from_db()
    if acceptance.state != Acceptance.State.WAITING:
        raise PscError(_("Only a request waiting for a state database is sent again."))
    row = waiting_registration(acceptance)
    if row is None:  # accepted before its registration was queued (or the queue row is gone)
        _register(acceptance, now)
    else:
        registration.try_now(row)
    acceptance.refresh_from_db()
    with transaction.atomic():
        record(by, AuditAction.PSC_RESUBMITTED, acceptance, {"state": acceptance.state}, at=now)
    return acceptance


# Transfers ----------------------------------------------------------------------------------


def receive(transfer: Transfer, by, at: dt.datetime | None = None) -> Transfer:
    """Record a transfer's arrival, judge it against its due moment, and do what arrival means:
    documents reaching the provider are registered there through the channel; a result reaching
    the centre goes into storage; an uncollected result is back with the provider."""
    now = at or clock.now()
    by_name = getattr(by, "username", None) or str(by)
    register_now = False
    with transaction.atomic():
        if not Transfer.objects.filter(pk=transfer.pk, received_at__isnull=True).update(
            received_at=now,
            received_by=by_name,
            kept=None if transfer.due_at is None else now <= transfer.due_at,
        ):
            raise PscError(_("This transfer was already received."))
        transfer.refresh_from_db()
        acceptance = Acceptance.objects.select_for_update().get(pk=transfer.acceptance_id)
        if transfer.direction == Transfer.Direction.DOCUMENTS:
            acceptance.state = Acceptance.State.WAITING  # registered right after this transaction
            acceptance.save(update_fields=["state"])
            register_now = True
        elif transfer.direction == Transfer.Direction.RESULT:
            acceptance.state = Acceptance.State.RESULT_AT_CENTRE
            acceptance.result_at_centre_at = now
            acceptance.keep_until = now + dt.timedelta(days=storage_days())
            acceptance.save(update_fields=["state", "result_at_centre_at", "keep_until"])
        record(
            by,
            AuditAction.PSC_TRANSFER_RECEIVED,
            acceptance,
            {
                "direction": transfer.direction,
                "sent_at": transfer.sent_at,
                "due_at": transfer.due_at,
                "kept": transfer.kept,
                "state": acceptance.state,
                "application": acceptance.application.number if acceptance.application else None,
            },
            at=now,
        )
    if register_now:  # the documents are at the provider: registered there (outside calls first)
        _register(acceptance, now)
    return transfer


def send_result(acceptance: Acceptance, by, at: dt.datetime | None = None) -> Transfer:
    """The provider sends the result (or the reasoned refusal) of a closed application to the centre."""
    now = at or clock.now()
    with transaction.atomic():
        acceptance = (
            Acceptance.objects.select_for_update(of=("self",))
            .select_related("application")
            .get(pk=acceptance.pk)
        )
        app = acceptance.application
        if acceptance.state != Acceptance.State.AT_PROVIDER or app is None:
            raise PscError(_("There is no application of this acceptance with the provider."))
        if app.status in OPEN_STATUSES:
            raise PscError(_("Application %(number)s is not decided yet.") % {"number": app.number})
        reg = acceptance.regulation.parsed
        step = result_transfer_step(reg, acceptance.variant, refused=app.status == "refused")
        ready = app.closed_at or now
        if step is not None:
            due, basis = acceptance.provider.calendar().due(ready, step.norm), f"psc {step.id}"
        elif app.due_at is not None:
            due, basis = app.due_at - dt.timedelta(days=1), RESULT_DELIVERY_LAW
        else:
            due, basis = None, ""
        transfer = Transfer.objects.create(
            acceptance=acceptance,
            direction=Transfer.Direction.RESULT,
            sent_at=now,
            sent_by=getattr(by, "username", None) or str(by),
            due_at=due,
            basis=basis,
        )
        acceptance.state = Acceptance.State.RESULT_IN_TRANSIT
        acceptance.save(update_fields=["state"])
        record(
            by,
            AuditAction.PSC_RESULT_SENT,
            acceptance,
            {"application": app.number, "status": app.status, "due_at": due, "basis": basis},
            at=now,
        )
    return transfer


def hand_over(
    acceptance: Acceptance, operator, handed_to: str = "", at: dt.datetime | None = None
) -> Acceptance:
    """The operator hands the result kept at the centre to the applicant (or a representative)."""
    now = at or clock.now()
    _require_operator(operator, acceptance.centre)
    with transaction.atomic():
        if not Acceptance.objects.filter(pk=acceptance.pk, state=Acceptance.State.RESULT_AT_CENTRE).update(
            state=Acceptance.State.HANDED_OVER,
            handed_over_at=now,
            handed_over_by=operator,
            handed_to=handed_to or acceptance.applicant_name,
        ):
            raise PscError(_("No result of this acceptance is kept at the centre."))
        acceptance.refresh_from_db()
        record(
            operator,
            AuditAction.PSC_RESULT_HANDED_OVER,
            acceptance,
            {
                "handed_to": acceptance.handed_to,
                "application": acceptance.application_id and acceptance.application.number,
            },
            at=now,
        )
    return acceptance


def kept_results(centre: Provider):
    """The storage list: results at the centre nobody has collected yet, the longest kept first."""
    return (
        Acceptance.objects.filter(centre=centre, state=Acceptance.State.RESULT_AT_CENTRE)
        .select_related("application", "provider", "regulation")
        .order_by("result_at_centre_at")
    )


def return_uncollected(acceptance: Acceptance, by, at: dt.datetime | None = None) -> Transfer:
    """Return a result kept for the whole storage period to the provider."""
    now = at or clock.now()
    with transaction.atomic():
        acceptance = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
        if acceptance.state != Acceptance.State.RESULT_AT_CENTRE:
            raise PscError(_("No result of this acceptance is kept at the centre."))
        if acceptance.keep_until and now < acceptance.keep_until:
            raise PscError(
                _("The result is kept until %(until)s.")
                % {"until": timezone.localtime(acceptance.keep_until).strftime("%d.%m.%Y %H:%M")}
            )
        courier = documents_transfer_step(acceptance.regulation.parsed, acceptance.variant)
        due = acceptance.provider.calendar().due(now, courier.norm) if courier else None
        transfer = Transfer.objects.create(
            acceptance=acceptance,
            direction=Transfer.Direction.UNCOLLECTED,
            sent_at=now,
            sent_by=getattr(by, "username", None) or str(by),
            due_at=due,
            basis=f"psc {courier.id}" if courier else "",
        )
        acceptance.state = Acceptance.State.RETURNED
        acceptance.save(update_fields=["state"])
        record(
            by,
            AuditAction.PSC_UNCOLLECTED_RETURNED,
            acceptance,
            {
                "kept_since": acceptance.result_at_centre_at,
                "storage_days": storage_days(),
                "reading": STORAGE_READING,
            },
            at=now,
        )
    return transfer
