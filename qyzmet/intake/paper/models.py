"""What a paper reception keeps besides the application: refusals to accept, registrations, scans.

- `ReceptionRefusal`: an incomplete set is not an application; the provider's clerk refuses to
  accept it (Law on state services Art. 19, Law on permissions Art. 25 p.1) and hands over a
  numbered receipt saying what was missing and why, in the regulation's words where it has them.
- `Registration`: a complete set on its way to the provider through the channel. It is saved
  before the channel is walked, so a state database that is down, or a process that dies, loses
  nothing: the row waits and is retried until the channel files it (once) or refuses it.
- `ScannedDocument`: a paper document scanned at reception; it belongs to its registration
  and, once filed, to the application.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qyzmet.engine.models import Application
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation


class ReceptionRefusal(models.Model):
    """A refusal to accept an incomplete set of documents, with the numbered receipt given for it."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="reception_refusals")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="+")
    variant = models.CharField(max_length=40)
    channel = models.CharField(max_length=40)
    applicant = models.CharField(_("IIN/BIN"), max_length=12, db_index=True)
    applicant_name = models.CharField(max_length=200, blank=True)
    presented = models.JSONField(default=list, help_text="the required documents that were presented")
    missing = models.JSONField(default=list, help_text="the required documents that were not")
    message = models.JSONField(null=True, blank=True, help_text="the refusal's wording, kk/ru/en")
    basis = models.CharField(max_length=200, blank=True, help_text="the channel's step, or the law")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.number

    def grounds(self) -> list[dict]:
        """The refusal's wording as the receipt prints it (kk/ru/en, with its basis as the code)."""
        return [{"code": self.basis, **self.message}] if self.message else []


class Registration(models.Model):
    """A complete paper set sent through the channel: waiting, filed once, or refused by the channel."""

    class Desk(models.TextChoices):
        OFFICE = "office", _("provider's office")
        PSC = "psc", _("service centre")

    class Status(models.TextChoices):
        WAITING = "waiting", _("queued: waiting for a state database")
        FILED = "filed", _("filed with the provider")
        REFUSED = "refused", _("refused by the channel")

    desk = models.CharField(max_length=10, choices=Desk.choices)
    reference = models.CharField(
        max_length=40, blank=True, db_index=True, help_text="the desk's own number (a centre's receipt)"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="paper_registrations")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=40)
    variant = models.CharField(max_length=40)
    applicant = models.CharField(_("IIN/BIN"), max_length=12, db_index=True)
    applicant_name = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, help_text="what the channel files with the application")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    initiated_by = models.CharField(max_length=150)
    received_at = models.DateTimeField(help_text="when the desk took the documents")
    identify = models.BooleanField(
        default=False, help_text="the desk could not identify the applicant: do it before the channel"
    )
    lookup_id = models.BigIntegerField(null=True, blank=True, help_text="the DataLookup that identified")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    message = models.JSONField(null=True, blank=True, help_text="the channel's refusal message, kk/ru/en")
    reason = models.TextField(blank=True)
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="paper_registration"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="paper_reg_due")]

    def __str__(self) -> str:
        return f"{self.desk} {self.pk} {self.status}"

    @property
    def waiting(self) -> bool:
        return self.status == self.Status.WAITING


class ScannedDocument(models.Model):
    """A paper document scanned at reception (P7 of the office channel)."""

    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.CASCADE, related_name="scans"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="scans"
    )
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
