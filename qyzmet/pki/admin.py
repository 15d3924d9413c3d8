"""The register of issued key files in the Django admin (read-only: the CLI issues and revokes)."""

from django.contrib import admin

from .models import IssuedCertificate


@admin.register(IssuedCertificate)
class IssuedCertificateAdmin(admin.ModelAdmin):
    list_display = ["serial", "iin", "bin", "purpose", "not_before", "not_after", "revoked_at", "reason"]
    list_filter = ["purpose", "reason"]
    search_fields = ["serial", "iin", "bin", "name"]

    def has_add_permission(self, request):
        return False  # issuing makes a key file, which a form cannot hand over

    def has_change_permission(self, request, obj=None):
        return False  # revocation must publish a CRL: `python -m qyzmet pki revoke`
