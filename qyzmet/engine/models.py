"""Applications and the steps they go through, under the regulation version in force at filing.

An `Application` is pinned to one `Regulation` row (the version in force for its service at its
provider on the filing day) and runs that regulation's internal procedure for its variant. Each
step the application reaches becomes a `StepRun` with its role, assignee, start, due moment (the
step's norm on the provider's calendar), completion and outcome. Pauses of the legal clock and
conclusions requested from other bodies are rows of their own, so every figure can be recomputed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qyzmet.audit.models import AppendOnlyError
from qyzmet.providers.models import Provider
from qyzmet.regulations.models import Regulation


class Status(models.TextChoices):
    IN_PROGRESS = "in_progress", _("in progress")
    PAUSED = "paused", _("paused")
    ISSUED = "issued", _("result issued")
    REFUSED = "refused", _("refused")
    DEEMED_ISSUED = "deemed_issued", _("deemed issued (no decision in term)")


OPEN_STATUSES = [Status.IN_PROGRESS, Status.PAUSED]


class Application(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="applications")
    service = models.CharField(max_length=80, db_index=True)
    variant = models.CharField(max_length=40)
    channel = models.CharField(max_length=40)
    procedure = models.CharField(max_length=60)
    applicant = models.CharField(_("IIN/BIN"), max_length=12, db_index=True)
    applicant_name = models.CharField(max_length=200, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True
    )
    filed_at = models.DateTimeField()
    registered_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    overdue_since = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=60, blank=True)
    refusal_grounds = models.JSONField(default=list, blank=True)
    refusal_text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The fee payment this application consumed: unique, so one payment files one application
    # however many filings race for it (written by the filing statement itself).
    payment_id = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-filed_at"]
        indexes = [
            models.Index(fields=["provider", "status"]),
            # The open applications with what the figures count of them (`figures.live_parts`):
            # read from the index alone, however scattered their rows, a few ms for 50,000.
            models.Index(
                fields=["id", "provider", "service", "filed_at", "due_at", "channel", "status", "closed_at"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="engine_application_open",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def applicant_kind(self) -> str:
        """The applicant's kind (individual, legal entity, individual entrepreneur) by their number."""
        from qyzmet.identity.numbers import applicant_kind

        return applicant_kind(self.applicant)

    def kept_term(self) -> bool | None:
        """Whether the application was closed within its term (None while open or without a term)."""
        if self.due_at is None or self.closed_at is None:
            return None
        return self.closed_at <= self.due_at


class StepRun(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    flow = models.CharField(max_length=60)
    step_id = models.CharField(max_length=40)
    role = models.CharField(max_length=80, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_steps",
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    due_rule = models.CharField(
        max_length=60, blank=True, help_text="law rule that set the due moment, if any"
    )
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=40, blank=True)
    kept = models.BooleanField(null=True)
    # Working minutes from start to completion on the provider's calendar, the way norms are
    # counted; kept with the completion so that figures per step are sums in the database.
    working_minutes = models.FloatField(null=True, blank=True)
    overdue_since = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["completed_at", "due_at"]),
            # The running runs' ids: which runs listed as running at a roll-up are still running,
            # from the index alone.
            models.Index(
                fields=["id"], condition=models.Q(completed_at__isnull=True), name="engine_steprun_running"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.number}:{self.step_id}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class PauseQuerySet(models.QuerySet):
    def asking(self):
        """The stops that asked the applicant something (a rule that asks them; `asked` is set)."""
        return self.exclude(asked="")


class Pause(models.Model):
    """A stop of the legal clock, on a legal ground: the code of a pause rule of the law
    (`law_rules.yaml`, `law.pauses_for`), or a state database unreachable (the gateway's own).

    Rows written before pauses needed a legal ground may say `documents_requested`. Under a rule
    that asks the applicant, `asked` is what the applicant was told; their answer (text and
    `files`) restarts the clock."""

    class Reason(models.TextChoices):
        DOCUMENTS_REQUESTED = "documents_requested", _("the applicant is asked to complete the documents")
        STATE_DATABASE_UNAVAILABLE = "state_database_unavailable", _("a state database is unreachable")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(max_length=40, help_text="a pause rule's code, or a system reason")
    law = models.CharField(max_length=200, blank=True, help_text="the legal source of the rule in force")
    note = models.TextField(blank=True)
    asked = models.TextField(blank=True, help_text="what the applicant was asked")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.CharField(max_length=150)
    ended_by = models.CharField(max_length=150, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = PauseQuerySet.as_manager()


class PauseFile(models.Model):
    """A document the applicant uploaded in answer to what a pause asked (checked by
    `qyzmet.intake.uploads`: PDF, JPEG or PNG by their first bytes)."""

    pause = models.ForeignKey(Pause, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]


class ConclusionRequest(models.Model):
    class Answer(models.TextChoices):
        PENDING = "pending", _("awaiting the answer")
        POSITIVE = "positive", _("positive")
        NEGATIVE = "negative", _("negative")
        DEEMED_POSITIVE = "deemed_positive", _("no answer in term: consent")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conclusions")
    step_run = models.ForeignKey(StepRun, on_delete=models.CASCADE, related_name="conclusions")
    body = models.CharField(max_length=80)
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answer = models.CharField(max_length=20, choices=Answer.choices, default=Answer.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)


class Protocol(models.Model):
    """The protocol (minutes) of the meeting at which a commission or council took a step's
    decision: a step marked `collegial` in its regulation is completed only with one.

    The regulations have the commission's secretary draw it up after the meeting ("СБК отырысын
    өткізу қорытындылары бойынша хаттама жасайды", seed 003 lines 2227-2228; "хатшы ретінде
    қатысады, отырыс хаттамасын ресімдейді", lines 561-562); the decision it records is the
    step's outcome. Part of the application's file: written once, in the transaction that
    completes the step, and never changed or deleted (the database refuses it on PostgreSQL, the
    model everywhere).
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="protocols")
    step_run = models.OneToOneField(StepRun, on_delete=models.PROTECT, related_name="protocol")
    number = models.CharField(_("protocol number"), max_length=40)
    meeting_at = models.DateTimeField(_("meeting held"))
    chair = models.CharField(_("chair"), max_length=200)
    members = models.JSONField(_("members present"), default=list, help_text="names, the chair among them")
    secretary = models.CharField(_("secretary"), max_length=200, blank=True)
    decision = models.CharField(_("decision"), max_length=40, help_text="the step's outcome")
    reasoning = models.TextField(_("reasoning"), blank=True)
    recorded_at = models.DateTimeField(help_text="when the step was completed with it")

    class Meta:
        ordering = ["meeting_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("protocols cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("protocols cannot be deleted")


# Figures of the past, rolled up (figures.py) ------------------------------------------------------


class FiguresMark(models.Model):
    """One roll-up of closed applications (`figures.roll_up`): the applications up to `upto_id`
    that were closed then are counted in the totals of its generation; those still open then are
    listed in `PendingApplication`. The newest generation and the one before are kept, so a page
    that read a mark finds its rows even if a roll-up commits meanwhile."""

    generation = models.BigIntegerField(unique=True)
    upto_id = models.BigIntegerField()
    made_at = models.DateTimeField()


class StatusTotal(models.Model):
    """Closed applications of a provider in one status, as of a roll-up."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20)
    count = models.BigIntegerField()


class StepTotal(models.Model):
    """Completed step runs (not superseded) of a provider's closed applications, per regulation
    and step, as of a roll-up: the sums the dashboard's timings are made of."""

    generation = models.BigIntegerField(db_index=True)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    regulation_id = models.CharField(max_length=120)
    flow = models.CharField(max_length=60)
    step_id = models.CharField(max_length=40)
    count = models.BigIntegerField()
    minutes = models.FloatField(null=True)
    judged = models.BigIntegerField()
    kept = models.BigIntegerField()


class PendingApplication(models.Model):
    """An application up to a roll-up's `upto_id` that was open at the roll-up: counted live."""

    generation = models.BigIntegerField()
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    application_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["generation", "provider", "application_id"])]


# The applicant's answer files of pauses, read without their bytes (pages list them; a download
# reads one file's content by itself).
ANSWER_FILES = models.Prefetch("files", queryset=PauseFile.objects.defer("content"))
