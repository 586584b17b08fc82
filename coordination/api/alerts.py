"""Alerts (broadcast to every member organisation, each acknowledges) and the personal calendar
feed (a secret address, regenerated or revoked), through the API as on the web."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotVisible
from config.pagination import NewestFirst
from config.serializers import (
    ModelSerializer,
    StrictPrimaryKeyRelatedField,
    required_text,
)
from coordination import permissions, selectors, services
from coordination.models import Alert, AlertAcknowledgement, CalendarFeed, CoordinationGroup
from organisations.models import Organisation

if TYPE_CHECKING:
    from django.db.models import QuerySet


class AlertSerializer(ModelSerializer):
    acknowledged_by = serializers.SerializerMethodField(
        help_text="The organisations that acknowledged, first first."
    )
    waiting_for = serializers.SerializerMethodField(
        help_text="The recipient organisations that have not acknowledged yet."
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "group",
            "title",
            "message",
            "sent_by_organisation",
            "created_at",
            "acknowledged_by",
            "waiting_for",
        ]
        read_only_fields = fields

    def get_acknowledged_by(self, alert: Alert) -> list[int]:
        return [a.organisation_id for a in selectors.alert_status(alert).acknowledged]

    def get_waiting_for(self, alert: Alert) -> list[int]:
        return [o.pk for o in selectors.alert_status(alert).waiting]


class AlertCreateSerializer(serializers.Serializer):
    # A group the user does not see is no choice: a 400 naming the field, as for every body id.
    group = StrictPrimaryKeyRelatedField(queryset=CoordinationGroup.objects.none())
    title = required_text(max_length=200)
    message = required_text()
    organisation = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(),
        required=False,
        allow_null=True,
        help_text="The organisation you send for (if you work for several in the group).",
    )

    def __init__(self, *args: object, groups: QuerySet | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:  # the schema generator builds it without a user
            self.fields["group"].queryset = groups


class AcknowledgeSerializer(serializers.Serializer):
    organisation = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(),
        required=False,
        allow_null=True,
        help_text="The organisation you acknowledge for; by default one that has not yet.",
    )


class AcknowledgementSerializer(ModelSerializer):
    class Meta:
        model = AlertAcknowledgement
        fields = ["alert", "organisation", "acknowledged_at"]
        read_only_fields = fields


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Alerts of the groups the user takes part in, newest first. Coordinators, and supervisors
    of member organisations, broadcast; staff of each recipient acknowledge for it."""

    serializer_class = AlertSerializer
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[Alert]:
        groups = list(permissions.groups_visible(self.request.user))
        return selectors.alert_list_for_groups(groups)

    @extend_schema(request=AlertCreateSerializer, responses={201: AlertSerializer})
    def create(self, request: Request) -> Response:
        body = AlertCreateSerializer(
            data=request.data, groups=permissions.groups_visible(request.user)
        )
        body.is_valid(raise_exception=True)
        alert = services.alert_broadcast(actor=request.user, **body.validated_data)
        alert = selectors.alert_get(request.user, alert.pk)
        return Response(AlertSerializer(alert).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AcknowledgeSerializer,
        responses={201: AcknowledgementSerializer},
        summary="Acknowledge for one of your organisations",
        description="409 when that organisation acknowledged already.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        try:
            alert_id = int(pk or "")
        except ValueError:
            raise NotVisible() from None
        if selectors.alert_get(request.user, alert_id) is None:
            raise NotVisible()  # before the body is read
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        acknowledgement = services.alert_acknowledge(
            alert_id=alert_id,
            actor=request.user,
            organisation=body.validated_data.get("organisation"),
        )
        return Response(
            AcknowledgementSerializer(acknowledgement).data, status=status.HTTP_201_CREATED
        )


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(allow_null=True, help_text="null: no address (or revoked).")
    webcal = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)


def _feed_data(request: Request, feed: CalendarFeed | None) -> dict:
    if feed is None:
        return {"url": None, "webcal": None, "created_at": None}
    url = request.build_absolute_uri(
        reverse("coordination:feed", args=[feed.pk, selectors.feed_token(feed)])
    )
    webcal = url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1)
    return {"url": url, "webcal": webcal, "created_at": feed.created_at}


class CalendarFeedView(APIView):
    """Your personal calendar address (null when you have none)."""

    @extend_schema(responses={200: CalendarFeedSerializer}, operation_id="calendar_feed_retrieve")
    def get(self, request: Request) -> Response:
        feed = CalendarFeed.objects.filter(user=request.user).first()
        return Response(_feed_data(request, feed))


class CalendarFeedViewSet(viewsets.GenericViewSet):
    """Your personal calendar address: every meeting of your groups, for any calendar app."""

    serializer_class = CalendarFeedSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[CalendarFeed]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return CalendarFeed.objects.none()
        return CalendarFeed.objects.filter(user=self.request.user)

    @extend_schema(request=None, responses={200: CalendarFeedSerializer})
    @action(detail=False, methods=["post"])
    def regenerate(self, request: Request) -> Response:
        """A new secret address; the previous one stops working at once."""
        return Response(_feed_data(request, services.feed_regenerate(user=request.user)))

    @extend_schema(request=None, responses={200: CalendarFeedSerializer})
    @action(detail=False, methods=["post"])
    def revoke(self, request: Request) -> Response:
        """No address any more: subscribed calendars get 404 from now on."""
        services.feed_revoke(user=request.user)
        return Response(_feed_data(request, None))
