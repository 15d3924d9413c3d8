"""What the applicant portal keeps of its own: drafts of requests, their attachments, the signed
submissions it has received (so that a retried post never files twice). The notices sent to
applicants are kept by `qyzmet.notifications`.

Everything about an application once filed belongs to the engine (`engine.models.Application`);
a draft only points at the application it became.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qyzmet.engine.models import Application
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation


class Draft(models.Model):
    """A request being prepared: the form's answers, the payment, and later the application."""

    class State(models.TextChoices):
        EDITING = "editing", _("being filled in")
        SUBMITTED = "submitted", _("submitted")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_drafts")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="+")
    variant = models.CharField(max_length=40)
    channel = models.CharField(max_length=40)
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The answers: applicant data from the state database, sub-types, address, contacts.
    data = models.JSONField(default=dict, blank=True)
    # The answers were checked and the applicant saw the "check your answers" page.
    complete = models.BooleanField(default=False)
    payment_id = models.CharField(max_length=40, blank=True)
    payment_status = models.CharField(max_length=16, blank=True)  # pending / paid / declined
    payment_attempts = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.EDITING, db_index=True)
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="portal_draft"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("draft request")
        verbose_name_plural = _("draft requests")

    def __str__(self) -> str:
        return f"draft {self.pk} {self.regulation_id} {self.variant}"


class Attachment(models.Model):
    """One uploaded document. Kept in the database: a draft and its files are saved or lost together."""

    class Kind(models.TextChoices):
        REQUIRED = "required", _("documents required by clause 9 of the Standard")
        OTHER = "other", _("other documents")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    def described(self) -> dict:
        """What the signed request says of the file: enough to prove later which file was signed."""
        return {
            "kind": self.kind,
            "name": self.name,
            "type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


class SignedSubmission(models.Model):
    """A signed request received, keyed by the digest of its signature value.

    RSASSA-PKCS1-v1_5 is deterministic, so the same request signed again with the same key (a
    double click) has the same value too: either way the second post finds this row and gets
    the first one's answer instead of a second application.
    """

    signature_sha256 = models.CharField(max_length=64, unique=True)
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)  # filed / refused / waiting (channels.ChannelResult.status)
    message = models.JSONField(null=True, blank=True)  # the regulation's refusal message, kk/ru/en
    reason = models.TextField(blank=True)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.signature_sha256[:12]} {self.status}"
