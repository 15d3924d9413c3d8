"""Staff identities: the IIN of each member of staff who signs with her own EDS (a head signing
results), recorded by an administrator so that her signature can be matched to her."""

from django.contrib import admin

from .models import Officer


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("user", "iin")
    search_fields = ("user__username", "iin")
    raw_id_fields = ("user",)
