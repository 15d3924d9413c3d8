from django.contrib import admin

from .models import Regulation


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = ["id", "service", "provider_code", "in_force_from", "in_force_until"]
    list_filter = ["service", "provider_code"]
    readonly_fields = [
        "id",
        "service",
        "provider_code",
        "in_force_from",
        "in_force_until",
        "document",
        "digest",
    ]

    def has_add_permission(self, request):
        return False  # regulations come from the YAML files, never from a form
