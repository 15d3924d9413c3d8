"""What an audit entry records: every action the platform writes to the log, with its label.

The values are the strings stored in `AuditEntry.action` (and covered by each entry's hash), so
they never change; a new kind of change gets a new member. `tests/test_audit_actions.py` fails
when code records an action that is not listed here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # The engine: an application's procedure and its legal clock
    APPLICATION_FILED = "application_filed", _("application filed")
    STEP_COMPLETED = "step_completed", _("step completed")
    STEP_ASSIGNED = "step_assigned", _("step assigned")
    STEP_OVERDUE = "step_overdue", _("step overdue, escalated")
    CONCLUSION_ANSWERED = "conclusion_answered", _("conclusion answered")
    CONCLUSION_DEEMED_POSITIVE = "conclusion_deemed_positive", _("no answer in term: consent")
    CLOCK_PAUSED = "clock_paused", _("clock stopped")
    CLOCK_RESUMED = "clock_resumed", _("clock restarted")
    APPLICATION_OVERDUE = "application_overdue", _("application overdue")
    APPLICATION_DEEMED_ISSUED = "application_deemed_issued", _("deemed issued")
    # Channels and paper reception
    CHANNEL_REFUSED = "channel_refused", _("request refused by the channel")
    RECEPTION_REFUSED_INCOMPLETE = "reception_refused_incomplete", _("documents not accepted: set incomplete")
    PAPER_DOCUMENTS_SCANNED = "paper_documents_scanned", _("paper documents scanned")
    PAPER_REGISTRATION_FILED = "paper_registration_filed", _("registered from paper reception")
    PAPER_REGISTRATION_REFUSED = "paper_registration_refused", _("paper registration refused")
    # Signed documents, stored once when issued (the entry carries the file's SHA-256)
    DOCUMENT_ISSUED = "document_issued", _("signed document issued")
    # Population Service Centres
    PSC_TICKET_ISSUED = "psc_ticket_issued", _("queue ticket issued")
    PSC_TICKET_CALLED = "psc_ticket_called", _("queue ticket called")
    PSC_ACCEPTED = "psc_accepted", _("documents accepted at the centre")
    PSC_REFUSED = "psc_refused", _("documents refused at the centre")
    PSC_RESUBMITTED = "psc_resubmitted", _("request sent again by the centre")
    PSC_TRANSFER_RECEIVED = "psc_transfer_received", _("transfer received")
    PSC_RESULT_SENT = "psc_result_sent", _("result sent to the centre")
    PSC_RESULT_HANDED_OVER = "psc_result_handed_over", _("result handed over to the applicant")
    PSC_UNCOLLECTED_RETURNED = "psc_uncollected_returned", _("uncollected result returned to the provider")
    # The register of permits (one per register event that concerns an application)
    REGISTER_ENTRY_CREATED = "register_entry_created", _("entered in the register")
    REGISTER_ENTRY_SUSPENDED = "register_entry_suspended", _("register entry suspended")
    REGISTER_ENTRY_RESUMED = "register_entry_resumed", _("register entry resumed")
    REGISTER_ENTRY_TERMINATED = "register_entry_terminated", _("register entry terminated")
    REGISTER_ENTRY_WITHDRAWN = "register_entry_withdrawn", _("register entry withdrawn")
    REGISTER_ENTRY_VOIDED = "register_entry_voided", _("register entry void: replaced by a duplicate")
    # The watch over the state databases: a termination proposed to the licensor, and its dismissal
    REGISTER_TERMINATION_PROPOSED = "register_termination_proposed", _("termination proposed to the licensor")
    REGISTER_PROPOSAL_DISMISSED = "register_proposal_dismissed", _("proposed termination dismissed")
    # Written by the engine before it kept one entry per change (folded into `step_completed` and
    # `application_filed` since); logs from then still carry them, so they keep their labels.
    STEP_STARTED = "step_started", _("step started")
    CONCLUSION_REQUESTED = "conclusion_requested", _("conclusion requested")
    APPLICATION_CLOSED = "application_closed", _("application closed")


# Actions no code writes any more (see above); every other member is written somewhere.
RETIRED = frozenset(
    {AuditAction.STEP_STARTED, AuditAction.CONCLUSION_REQUESTED, AuditAction.APPLICATION_CLOSED}
)


def label_of(action: str) -> str:
    """The action's label in the active language; an action unknown here is shown as stored."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action
