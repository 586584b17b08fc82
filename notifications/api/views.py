from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import NotVisible
from config.pagination import NewestFirst
from config.serializers import ModelSerializer
from notifications import selectors, services
from notifications.models import Notification


class NotificationSerializer(ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's notifications, newest first (``?unread=true`` for unread only)."""

    serializer_class = NotificationSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        notifications = selectors.notifications_for(self.request.user)
        if self.request.query_params.get("unread") in ("true", "1"):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        try:
            notification_id = int(pk or "")
        except ValueError:
            raise NotVisible() from None
        notification = services.notification_mark_read(
            notification_id=notification_id, user=request.user
        )
        if notification is None:
            raise NotVisible()
        return Response(NotificationSerializer(notification).data)
