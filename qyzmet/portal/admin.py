"""Read-only admin pages for what the portal keeps: the notifications sent (drafts and
submissions are the online intake's).

Read-only because each row is evidence of what an applicant did or was told; attachments'
contents are left out of the lists (they may be megabytes each).
"""

from django.contrib import admin

from .models import Notification


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("application", "channel", "event", "to", "sent", "sent_at")
    list_filter = ("channel", "event", "sent")
    search_fields = ("application__number", "to")
