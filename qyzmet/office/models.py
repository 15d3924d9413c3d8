"""What the provider's office keeps of a paper reception, besides the application itself.

An incomplete set of documents is not an application: the clerk refuses to accept it (Law on
state services Art. 19, Law on permissions Art. 25 p.1) and hands the applicant a receipt saying
which documents were missing. `ReceptionRefusal` is that receipt's record. A complete set becomes
an application through the channel; the scans the clerk attaches are `ScannedDocument` rows.
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
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.number


class ScannedDocument(models.Model):
    """A paper document scanned at reception and attached to the application (P7 of the office channel)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scans")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
