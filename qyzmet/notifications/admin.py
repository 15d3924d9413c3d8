"""Read-only admin page of the notices sent: each row is evidence of what an applicant was told."""

from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("application", "channel", "event", "to", "sent", "sent_at")
    list_filter = ("channel", "event", "sent")
    search_fields = ("application__number", "to")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
