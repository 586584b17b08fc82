from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import NotVisible
from config.pagination import NewestFirst
from config.serializers import ModelSerializer, QueryBooleanField, QuerySerializer
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


class NotificationFilterSerializer(QuerySerializer):
    unread = QueryBooleanField(help_text="Only the unread ones.")


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's notifications, newest first (``?unread=true`` for unread only)."""

    serializer_class = NotificationSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

    @extend_schema(parameters=[NotificationFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = NotificationFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = self.get_queryset()
        if filters.validated_data.get("unread"):
            notifications = notifications.filter(read_at__isnull=True)
        page = self.paginate_queryset(notifications)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

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
