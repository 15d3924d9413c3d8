"""Admin pages of the outbox: every event, and every delivery with its state and last error.

A failed delivery (retries spent) stays on the deliveries page, filtered by state, until an
operator hands it out again with the "deliver again" action.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qyzmet.admin_pages import ReadOnlyAdmin

from . import delivery
from .models import Delivery, Event


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("subscriber", "state", "attempts", "error", "last_attempt_at", "delivered_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("kind", "subject_id", "at", "recorded_at", "settled")
    list_filter = ("kind", "settled")
    search_fields = ("id", "subject_id")
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("subscriber", "event", "state", "attempts", "last_attempt_at", "error")
    list_filter = ("state", "subscriber")
    search_fields = ("event__id", "event__subject_id")
    actions = ["deliver_again"]

    def has_deliver_permission(self, request):
        return request.user.is_superuser

    @admin.action(description=_("Deliver again"), permissions=["deliver"])
    def deliver_again(self, request, queryset):
        count = delivery.retry_failed(queryset)
        self.message_user(request, _("%(count)s failed deliveries handed out again.") % {"count": count})
