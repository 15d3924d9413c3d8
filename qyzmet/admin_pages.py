"""What several apps' admin pages share: records shown, never written through a form."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are evidence (a log, a queue, a ledger) are shown, not added or changed; `deletable`
    keeps deletion for rows an administrator may have to remove (an applicant's draft or notice)."""

    deletable = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)
