"""Events recorded with the changes they describe, and their delivery to each subscriber."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Something that happened to a subject (an application), written with the change itself.

    `recorded_at` is the database's own time of the write, not the platform's clock (which a demo
    may set back years): `tasks.redispatch` measures how long an event has waited by it."""

    id = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=40)
    subject_id = models.BigIntegerField(null=True)  # the application's id
    data = models.JSONField(default=dict)
    at = models.DateTimeField()  # when it happened, on the platform's clock
    recorded_at = models.DateTimeField()
    # every subscriber's delivery has ended (delivered, or failed for good): redispatch skips it
    settled = models.BooleanField(default=False)

    class Meta:
        ordering = ["recorded_at"]
        indexes = [
            models.Index(
                fields=["recorded_at"], condition=models.Q(settled=False), name="outbox_event_unsettled"
            ),
            models.Index(fields=["subject_id"], name="outbox_event_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} {self.id}"


class Delivery(models.Model):
    """One subscriber's handling of one event: at most one row each, so a replay does nothing."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        RETRYING = "retrying", _("failed, will be tried again")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed, retries exhausted")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    subscriber = models.CharField(max_length=80)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_attempt_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="outbox_one_delivery_per_subscriber")
        ]
        indexes = [models.Index(fields=["state"], name="outbox_delivery_state")]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.subscriber} {self.event_id} {self.state}"
