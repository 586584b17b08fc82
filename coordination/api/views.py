"""The coordination API: groups, meetings (with their .ics) and action items. Thin: the same
services and selectors as the web pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import object_id
from config.renderers import ICalendarRenderer
from coordination import ics, permissions, selectors, services
from coordination.api.pathways import TermsSerializer, adopted_terms
from coordination.api.plans import GroupPatchSerializer
from coordination.api.serializers import (
    ActionItemCreateSerializer,
    ActionItemFilterSerializer,
    ActionItemPatchSerializer,
    ActionItemSerializer,
    CoordinationGroupCreateSerializer,
    CoordinationGroupSerializer,
    MeetingCreateSerializer,
    MeetingFilterSerializer,
    MeetingSerializer,
)
from coordination.api.sittings import MeetingWritesMixin
from coordination.exceptions import NotASitting, NotVisible
from coordination.models import ActionItem, CoordinationGroup, Meeting


class CoordinationGroupViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Groups the user coordinates or whose member organisation they work for."""

    serializer_class = CoordinationGroupSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[CoordinationGroup]:
        return selectors.group_list(self.request.user).prefetch_related("members", "coordinators")

    def get_serializer_context(self) -> dict:
        return {
            **super().get_serializer_context(),
            "coordinated": permissions.coordinated_group_ids(self.request.user),
        }

    @extend_schema(
        request=CoordinationGroupCreateSerializer, responses={201: CoordinationGroupSerializer}
    )
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        """A platform admin, or a supervisor or admin of the convening organisation (who then
        coordinates it), sets up a group."""
        serializer = CoordinationGroupCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = services.group_create(actor=request.user, **serializer.validated_data)
        group = self.get_queryset().filter(pk=group.pk).first() or group
        return Response(
            CoordinationGroupSerializer(group, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=GroupPatchSerializer, responses={200: CoordinationGroupSerializer})
    def partial_update(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        """Coordinators keep the group's name, description, time zone and member organisations."""
        group_id = object_id(pk)
        if not self.get_queryset().filter(pk=group_id).exists():
            raise NotVisible()  # before the body is read
        body = GroupPatchSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.group_update(group_id=group_id, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=group_id)).data)

    @extend_schema(responses={200: TermsSerializer})
    @action(detail=True, methods=["get"])
    def terms(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        """The group's adopted terms of reference, with who has and who has not endorsed them
        (404 while no version is adopted; every version: ``/terms/?group=``)."""
        group_id = object_id(pk)
        if not self.get_queryset().filter(pk=group_id).exists():
            raise NotVisible()
        terms = adopted_terms(request.user, group_id)
        if terms is None:
            raise NotVisible(_("The group has not adopted terms of reference yet."))
        return Response(TermsSerializer(terms, context=self.get_serializer_context()).data)


class MeetingViewSet(
    MeetingWritesMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings and series of the user's groups, with their next sittings."""

    serializer_class = MeetingSerializer
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def _visible_meeting(self, pk: str | None) -> Meeting:
        """Invisible is missing (404), before any body is read."""
        meeting = selectors.meeting_list(self.request.user).filter(pk=object_id(pk)).first()
        if meeting is None:
            raise NotVisible()
        return meeting

    def get_queryset(self) -> QuerySet[Meeting]:
        return (
            selectors.meeting_list(self.request.user)
            .prefetch_related("occurrences", "invited_organisations")
            .order_by("first_start", "id")
        )

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(parameters=[MeetingFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = MeetingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        meetings = self.get_queryset()
        if "group" in filters.validated_data:
            meetings = meetings.filter(group_id=filters.validated_data["group"])
        if filters.validated_data.get("upcoming"):
            now = timezone.now()
            meetings = meetings.filter(Q(last_end__isnull=True) | Q(last_end__gte=now))
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        """A coordinator schedules a meeting, or a series with an RFC 5545 ``rrule``."""
        serializer = MeetingCreateSerializer(
            data=request.data, groups=permissions.groups_visible(request.user)
        )
        serializer.is_valid(raise_exception=True)
        meeting = services.meeting_schedule(actor=request.user, **serializer.validated_data)
        meeting = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "text/calendar"): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="RFC 5545: the meeting (RRULE, EXDATE, RECURRENCE-ID) and VTIMEZONE.",
            )
        }
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[renderers.JSONRenderer, ICalendarRenderer],
    )
    def ics(self, request: Request, pk: str | None = None) -> HttpResponse:
        meeting = self.get_queryset().filter(pk=object_id(pk)).first()
        if meeting is None:
            raise NotVisible()
        response = HttpResponse(
            ics.calendar([meeting], name=meeting.title),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
        return response


class ActionItemViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Action items of the user's groups (``mine=true``: theirs and their organisations')."""

    serializer_class = ActionItemSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ActionItem]:
        return selectors.action_item_list(self.request.user).order_by("due_on", "id")

    def _context(self, items: list[ActionItem]) -> dict:
        return {
            **self.get_serializer_context(),
            "editable": selectors.editable_action_ids(self.request.user, items),
        }

    @extend_schema(parameters=[ActionItemFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = ActionItemFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        options = filters.validated_data
        if options.get("mine"):
            items = selectors.action_items_of(request.user, include_closed=True)
        else:
            items = self.get_queryset()
        if "status" in options:
            items = items.filter(status=options["status"])
        if "group" in options:
            items = items.filter(group_id=options["group"])
        if "meeting" in options:
            items = items.filter(occurrence__meeting_id=options["meeting"])
        page = self.paginate_queryset(items)
        return self.get_paginated_response(
            ActionItemSerializer(page, many=True, context=self._context(page)).data
        )

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        item = self.get_object()
        return Response(ActionItemSerializer(item, context=self._context([item])).data)

    @extend_schema(request=ActionItemCreateSerializer, responses={201: ActionItemSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        """A coordinator records an action item of a meeting; its owner is told."""
        serializer = ActionItemCreateSerializer(
            data=request.data, meetings=selectors.meeting_list(request.user)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        meeting = data.pop("meeting")
        try:
            item = services.action_item_create(
                actor=request.user,
                meeting_id=meeting.pk,
                original_start=data.pop("sitting"),
                **data,
            )
        except NotASitting:
            # In a body the time is a field: a 400 naming it, not a missing page.
            raise ValidationError(
                {"sitting": [_("The meeting has no sitting at that time.")]}
            ) from None
        item = self.get_queryset().get(pk=item.pk)
        return Response(
            ActionItemSerializer(item, context=self._context([item])).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ActionItemPatchSerializer, responses={200: ActionItemSerializer})
    def partial_update(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        """Coordinators change anything; the owner organisation's staff (or the person named)
        change ``status`` and ``progress_note``."""
        item_id = object_id(pk)
        serializer = ActionItemPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.action_item_update(
            action_item_id=item_id, actor=request.user, **serializer.validated_data
        )
        item = self.get_queryset().get(pk=item_id)
        return Response(ActionItemSerializer(item, context=self._context([item])).data)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        return self.partial_update(request, *args, **kwargs)
