"""Read-only admin pages for the gateway's log, evidence and queue: they are records, not data to edit."""

from django.contrib import admin

from qyzmet.admin_pages import ReadOnlyAdmin

from .models import DataLookup, Message, PendingLookup


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "system", "operation", "subject", "outcome", "attempts", "correlation_id"]
    list_filter = ["system", "outcome", "transport"]
    search_fields = ["correlation_id", "subject"]


@admin.register(DataLookup)
class DataLookupAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "system",
        "subject",
        "found",
        "purpose",
        "initiated_by",
        "application_number",
    ]
    list_filter = ["system", "found"]
    search_fields = ["subject", "related_iin", "application_number", "correlation_id"]


@admin.register(PendingLookup)
class PendingLookupAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "system", "subject", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["system", "status"]
