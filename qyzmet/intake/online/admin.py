"""Read-only admin pages for what the online intake keeps: drafts and signed submissions.

Read-only because each row is evidence of what an applicant did or was told; attachments'
contents and envelopes are left out of the lists (they may be large).
"""

from django.contrib import admin

from qyzmet.admin_pages import ReadOnlyAdmin

from .models import Draft, Submission


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdmin):
    deletable = True
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
class SubmissionAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = ("signature_sha256", "applicant", "door", "service", "status", "application", "created_at")
    list_filter = ("status", "door")
    search_fields = ("applicant", "application__number", "signature_sha256")
