"""The notices sent to applicants, as the cabinet lists them."""

from __future__ import annotations

from django.db import models

from qyzmet.engine.models import Application


class Notification(models.Model):
    """An e-mail or SMS sent to an applicant about an application, as the cabinet lists them."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=8)  # email / sms
    event = models.CharField(max_length=16)  # filed / closed; a permit's: suspended, resumed, ... expiring
    # What the notice is about beyond the application: a register event ("LIC-2015-00001#7") or a
    # reminder ("LIC-2015-00001:2016-05-01"); empty for the application's own notices.
    reference = models.CharField(max_length=60, blank=True, default="")
    to = models.CharField(max_length=254)
    text = models.TextField()
    sent = models.BooleanField(default=True)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            # notify_status may be called more than once for the same change; one message is enough.
            models.UniqueConstraint(
                fields=["application", "channel", "event", "reference"],
                name="notifications_one_notice_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event} {self.application_id}"
