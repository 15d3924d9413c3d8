"""Read-only admin page of the notices sent: each row is evidence of what an applicant was told."""

from django.contrib import admin

from qyzmet.admin_pages import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    deletable = True

    list_display = ("application", "channel", "event", "to", "sent", "sent_at")
    list_filter = ("channel", "event", "sent")
    search_fields = ("application__number", "to")
