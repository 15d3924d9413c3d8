"""The Population Service Centre (PSC): its queue, what it accepts, what it carries and keeps.

A centre is a `Provider` row acting as `psc` (so staff roles, calendars and the chokepoints work
as for any provider); its operators hold the role `psc-operator` there.

- `Ticket`: the electronic queue, numbered from 1 each day per centre, called by an operator.
- `Acceptance`: one applicant's documents accepted (or refused) against the required list, with
  the applicant identified in the state database, the written consent to use personal data, and
  the numbered receipt; it leads to the application filed with the provider through the channel.
- `Transfer`: documents carried to the provider, a result carried back to the centre, or an
  uncollected result returned to the provider, each with sent / due / received moments and
  whether the norm was kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qyzmet.engine.models import Application
from qyzmet.providers.models import PSC, PSC_OPERATOR, Provider
from qyzmet.regulations.models import Regulation

OPERATOR = PSC_OPERATOR
ACTS_AS = PSC


class Ticket(models.Model):
    centre = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="psc_tickets")
    day = models.DateField()
    number = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    window = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["day", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "day", "number"], name="psc_ticket_per_day")]

    def __str__(self) -> str:
        return f"{self.number:03d}"


class Acceptance(models.Model):
    class State(models.TextChoices):
        REFUSED = "refused", _("refused at acceptance")
        WAITING = "waiting", _("waiting for a state database")
        IN_TRANSIT = "in_transit", _("documents on the way to the provider")
        AT_PROVIDER = "at_provider", _("with the provider")
        RESULT_IN_TRANSIT = "result_in_transit", _("result on the way to the centre")
        RESULT_AT_CENTRE = "result_at_centre", _("result kept at the centre")
        HANDED_OVER = "handed_over", _("result handed over")
        RETURNED = "returned", _("uncollected result returned to the provider")

    number = models.CharField(_("receipt number"), max_length=40, unique=True)
    centre = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="psc_acceptances")
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="acceptance"
    )
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="psc_acceptances_for")
    variant = models.CharField(max_length=40)
    applicant = models.CharField(_("IIN/BIN"), max_length=12, db_index=True)
    applicant_name = models.CharField(max_length=200, blank=True)
    identified = models.BooleanField(default=False, help_text="found in the state database")
    lookup_id = models.BigIntegerField(null=True, blank=True, help_text="the DataLookup that identified")
    consent_at = models.DateTimeField(help_text="written consent to use personal data (required)")
    documents = models.JSONField(default=list)
    missing = models.JSONField(default=list, blank=True)
    accepted_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=State.choices, db_index=True)
    message = models.JSONField(null=True, blank=True, help_text="the refusal message, kk/ru/en")
    reason = models.TextField(blank=True)
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="psc_acceptance"
    )
    # when the provider decided (the application closed), learnt from the engine's event
    # (subscribers.py): from then on the result is due to be sent to the centre
    decided_at = models.DateTimeField(null=True, blank=True)
    result_at_centre_at = models.DateTimeField(null=True, blank=True)
    keep_until = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_to = models.CharField(
        max_length=200, blank=True, help_text="who collected: the applicant or a representative"
    )

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return self.number


class Transfer(models.Model):
    class Direction(models.TextChoices):
        DOCUMENTS = "documents", _("documents to the provider")
        RESULT = "result", _("result to the centre")
        UNCOLLECTED = "uncollected", _("uncollected result back to the provider")

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="transfers")
    direction = models.CharField(max_length=12, choices=Direction.choices)
    sent_at = models.DateTimeField()
    sent_by = models.CharField(max_length=150)
    due_at = models.DateTimeField(null=True, blank=True)
    basis = models.CharField(max_length=200, blank=True, help_text="the norm: a channel step, or the law")
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.CharField(max_length=150, blank=True)
    kept = models.BooleanField(null=True)

    class Meta:
        ordering = ["sent_at", "id"]

    @property
    def in_transit(self) -> bool:
        return self.received_at is None
