from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import NotVisible
from config.pagination import NewestFirst
from config.serializers import (
    ModelSerializer,
    QueryBooleanField,
    QuerySerializer,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
)
from notifications import kinds, selectors, services
from notifications.models import Notification


class NotificationSerializer(ModelSerializer):
    is_read = serializers.SerializerMethodField()
    # In the language of the request (Accept-Language), like the pages.
    subject = serializers.CharField(source="shown_subject", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class KindSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the reader's language.")
    silenceable = serializers.BooleanField(help_text="Whether it can be turned off altogether.")


class PreferenceSerializer(serializers.Serializer):
    """What the preferences page shows and changes; every kind always appears in the app."""

    language = StrictChoiceField(
        choices=settings.LANGUAGES, required=False, help_text="The language of your e-mails."
    )
    email_kinds = serializers.ListField(
        child=StrictCharField(max_length=50),
        required=False,
        help_text="The kinds of notification also sent by e-mail (see kinds).",
    )
    silenced_kinds = serializers.ListField(
        child=StrictCharField(max_length=50),
        required=False,
        help_text="The kinds not notified at all, among the kinds marked `silenceable`.",
    )
    kinds = KindSerializer(many=True, read_only=True)


def _preference_data(user: object) -> dict:
    preference = services.preference_for(user)
    every = kinds.all_kinds()
    return {
        "language": preference.language,
        "email_kinds": [k.code for k in every if preference.wants_email(k.code)],
        "silenced_kinds": preference.silenced_kinds,
        "kinds": [
            {"code": k.code, "label": str(k.label), "silenceable": k.silenceable} for k in every
        ],
    }


class ReadAllSerializer(serializers.Serializer):
    marked = StrictIntegerField(help_text="How many were unread.")


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

    @extend_schema(request=None, responses={200: ReadAllSerializer}, summary="Mark all as read")
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_all_read(user=request.user)})

    @extend_schema(
        methods=["GET"], responses={200: PreferenceSerializer}, summary="Your preferences"
    )
    @extend_schema(
        methods=["PATCH"],
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer},
        summary="Change your preferences",
    )
    @action(detail=False, methods=["get", "patch"], pagination_class=None, filter_backends=[])
    def preferences(self, request: Request) -> Response:
        if request.method == "PATCH":
            body = PreferenceSerializer(data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            services.preference_update(
                user=request.user,
                language=body.validated_data.get("language"),
                email_kinds=body.validated_data.get("email_kinds"),
                silenced_kinds=body.validated_data.get("silenced_kinds"),
            )
        return Response(_preference_data(request.user))

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
