"""What the gateway remembers: every message sent out, the evidence of every state-database
answer, and the lookups still waiting for a system to come back.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SYSTEM_CHOICES = [
    ("individuals", _('State database "Individuals"')),
    ("legal_entities", _('State database "Legal entities"')),
    ("tax", _("Tax information system")),
    ("payments", _("Payment gateway")),
    ("conclusions", _("Conclusions of other bodies")),
]


class Message(models.Model):
    """One call to an outside system and how it ended, retries included.

    Written when the call starts (outcome "in_progress") and updated when it ends, so a call
    that hangs or whose process dies is still visible.
    """

    correlation_id = models.CharField(max_length=64, db_index=True)
    system = models.CharField(max_length=32, choices=SYSTEM_CHOICES)
    operation = models.CharField(max_length=64)
    subject = models.CharField(_("subject number"), max_length=64, blank=True, db_index=True)
    transport = models.CharField(max_length=16)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # ok, not_found, invalid, conflict, timeout, error, circuit_open; in_progress until it ends
    outcome = models.CharField(max_length=16, default="in_progress", db_index=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("gateway message")
        verbose_name_plural = _("gateway messages")

    def __str__(self) -> str:
        return f"{self.system}.{self.operation}({self.subject}) {self.outcome}"


class DataLookupQuerySet(models.QuerySet):
    def of_person(self, iin: str):
        """Every lookup that returned this person's data, for her personal cabinet.

        That is lookups of her IIN, and lookups of entities she heads: their answer carries her
        IIN and name too, so she has the same right to know they were made.
        """
        return self.filter(Q(subject=iin) | Q(related_iin=iin))


class DataLookup(models.Model):
    """Evidence: what a state database answered, to whom, why, and when. Never edited."""

    application_number = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    subject = models.CharField(_("IIN/BIN"), max_length=12, db_index=True)
    # The head's IIN in an entity's answer: a plain column because SQLite cannot search JSON.
    related_iin = models.CharField(max_length=12, blank=True, db_index=True)
    system = models.CharField(max_length=32, choices=SYSTEM_CHOICES)
    purpose = models.CharField(max_length=255)
    initiated_by = models.CharField(max_length=150, help_text=_("username, or 'portal' for the applicant"))
    found = models.BooleanField(default=True)
    answer = models.JSONField(null=True, blank=True)
    correlation_id = models.CharField(max_length=64, db_index=True)
    # PROTECT: the message log must not be cleaned up from under the evidence that cites it.
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = DataLookupQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data lookup")
        verbose_name_plural = _("data lookups")

    def __str__(self) -> str:
        return f"{self.system} {self.subject} for {self.purpose}"

    def save(self, *args, **kwargs):
        # Evidence is written once; a changed answer would be a different lookup.
        if self.pk is not None and not self._state.adding:
            raise ValueError("a data lookup is evidence and cannot be changed")
        super().save(*args, **kwargs)


class PendingLookup(models.Model):
    """A state-database lookup that met an unavailable system and waits to be tried again.

    `tasks.retry_pending_lookups` takes the due ones; a row leaves WAITING only with an answer
    (DONE, with its DataLookup) or a definite "no record" (NOT_FOUND). Nothing expires.
    """

    WAITING, DONE, NOT_FOUND = "waiting", "done", "not_found"
    STATUS_CHOICES = [(WAITING, _("waiting")), (DONE, _("done")), (NOT_FOUND, _("no record"))]

    system = models.CharField(max_length=32, choices=SYSTEM_CHOICES)
    subject = models.CharField(max_length=12)
    purpose = models.CharField(max_length=255)
    initiated_by = models.CharField(max_length=150)
    application_number = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    correlation_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=WAITING)
    attempts = models.PositiveIntegerField(default=1)  # the first try happened before queueing
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(db_index=True)
    lookup = models.ForeignKey(DataLookup, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        verbose_name = _("pending lookup")
        verbose_name_plural = _("pending lookups")

    def __str__(self) -> str:
        return f"{self.system} {self.subject} {self.status}"
