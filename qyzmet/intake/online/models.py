"""What the online intake keeps: drafts of requests, their attachments, and the ledger of signed
submissions (so that a retried post never files twice, and the signed envelope stays as evidence).

Everything about an application once filed belongs to the engine (`engine.models.Application`);
a draft and a submission only point at the application they became.
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
        db_table = "portal_draft"  # made by the portal before the intake was its own app
        ordering = ["-updated_at", "-id"]
        verbose_name = _("draft request")
        verbose_name_plural = _("draft requests")

    def __str__(self) -> str:
        return f"draft {self.pk} {self.regulation_id} {self.variant}"


class Attachment(models.Model):
    """One uploaded document. Kept in the database: a draft and its files are saved or lost together."""

    class Kind(models.TextChoices):
        REQUIRED = "required", _("a document the regulation lists")
        OTHER = "other", _("other documents")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The code of the document of the regulation's list (`FormDocument.code`) this file is for;
    # empty for other documents.
    document = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "portal_attachment"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    def described(self) -> dict:
        """What the signed request says of the file: enough to prove later which file was signed."""
        described = {
            "kind": self.kind,
            "name": self.name,
            "type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }
        if self.document:
            described["document"] = self.document
        return described


class Submission(models.Model):
    """One signed request posted through either door, and what became of it.

    Keyed by the SHA-256 of the CMS signature (DER) and the applicant. A row is written only after
    the signature verified, so the key names a request the applicant really signed; posting it
    again (a network retry, a double click) finds this row: a filed one answers with its
    application, a refused or waiting one is walked again (the fee may be paid, the database
    back), and a different envelope with the same signature is turned away. `claimed_at` marks
    the walk in progress; a claim older than STALE_CLAIM is taken over (the worker died).
    The whole envelope is kept, so the signature can be verified again later
    (`python -m qyzmet verify --application NUMBER`).
    """

    RUNNING, FILED, REFUSED, WAITING = "running", "filed", "refused", "waiting"
    STATUS_CHOICES = [
        (RUNNING, _("being processed")),
        (FILED, _("filed")),
        (REFUSED, _("refused")),
        (WAITING, _("waiting for a state database")),
    ]
    WEB, API = "web", "api"

    signature_sha256 = models.CharField(_("SHA-256 of the signature value"), max_length=64)
    applicant = models.CharField(_("IIN/BIN"), max_length=12, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    door = models.CharField(max_length=8, choices=[(WEB, "web portal"), (API, "applicant API")])
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    provider = models.CharField(max_length=160)
    service = models.CharField(max_length=80)
    variant = models.CharField(max_length=40)
    regulation = models.CharField(max_length=120, blank=True)
    channel = models.CharField(max_length=40, blank=True)
    payment_id = models.CharField(max_length=40, blank=True)
    # The signed envelope as received: the request and the whole CMS signature (base64), which
    # carries the signer's certificate and signing time.
    # Empty only for submissions received before it was kept.
    envelope = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=RUNNING)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.CharField(_("step that ended the walk"), max_length=40, blank=True)
    message = models.JSONField(_("refusal message (kk/ru/en)"), null=True, blank=True)
    reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=1)
    claimed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("signed submission")
        verbose_name_plural = _("signed submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["signature_sha256", "applicant"], name="intake_online_one_submission_per_signature"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signature_sha256[:12]} {self.applicant} {self.status}"
