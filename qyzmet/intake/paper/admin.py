"""Read-only admin pages for the paper intake's records: the queue can be watched, not edited."""

from django.contrib import admin

from qyzmet.admin_pages import ReadOnlyAdmin

from .models import ReceptionRefusal, Registration


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "desk",
        "reference",
        "regulation",
        "applicant",
        "status",
        "attempts",
        "next_attempt_at",
    ]
    list_filter = ["status", "desk"]
    search_fields = ["applicant", "reference"]
    exclude = ["data"]


@admin.register(ReceptionRefusal)
class ReceptionRefusalAdmin(ReadOnlyAdmin):
    list_display = ["at", "number", "provider", "regulation", "applicant", "basis"]
    search_fields = ["number", "applicant"]
