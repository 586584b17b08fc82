from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery, DeliveryStatus, Notification, Preference
from notifications.services import enqueue_deliveries


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Dead letters show here (status "failed for good"); retry them once the cause is fixed."""

    list_display = ["key", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    @admin.action(description=_("Retry the selected deliveries now"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        ids = list(queryset.exclude(status=DeliveryStatus.SENT).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=timezone.now(),
            attempts=0,
            claimed_at=None,
            handed_at=timezone.now(),
        )
        enqueue_deliveries(ids)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
