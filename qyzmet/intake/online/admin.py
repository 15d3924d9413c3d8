"""Read-only admin pages for what the online intake keeps: drafts and signed submissions.

Read-only because each row is evidence of what an applicant did or was told; attachments'
contents and envelopes are left out of the lists (they may be large).
"""

from django.contrib import admin

from .models import Draft, Submission


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Draft)
class DraftAdmin(ReadOnly):
    list_display = (
        "id",
        "user",
        "regulation",
        "variant",
        "state",
        "payment_status",
        "application",
        "updated_at",
    )
    list_filter = ("state", "payment_status")
    search_fields = ("user__username", "application__number")


@admin.register(Submission)
class SubmissionAdmin(ReadOnly):
    list_display = ("signature_sha256", "applicant", "door", "service", "status", "application", "created_at")
    list_filter = ("status", "door")
    search_fields = ("applicant", "application__number", "signature_sha256")
