"""Read-only admin pages for what the portal keeps: drafts and signed submissions.

Read-only because each row is evidence of what an applicant did or was told; attachments'
contents are left out of the lists (they may be megabytes each).
"""

from django.contrib import admin

from .models import Draft, SignedSubmission


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


@admin.register(SignedSubmission)
class SignedSubmissionAdmin(ReadOnly):
    list_display = ("signature_sha256", "user", "draft", "status", "application", "received_at")
    list_filter = ("status",)
    search_fields = ("user__username", "application__number", "signature_sha256")
