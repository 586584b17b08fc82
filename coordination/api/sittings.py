"""What a coordinator does to a meeting and its sittings on the web, through the API: change or
cancel the meeting; cancel, move or reinstate one sitting; the agenda, attendance, minutes and
decisions of a sitting. A sitting is named by its original start in the path, in the compact UTC
form of iCalendar (``20260303T090000Z``), as on the web. Thin: the services decide."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import NotVisible
from config.serializers import (
    ModelSerializer,
    StrictBooleanField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    optional_text,
    required_text,
)
from coordination import recurrence, selectors, services
from coordination.api.serializers import (
    MeetingSerializer,
    SittingSerializer,
    TimeZoneField,
    WallTimeField,
    sitting_data,
)
from coordination.models import AgendaItem, Decision
from organisations.models import Organisation

if TYPE_CHECKING:
    from django.db.models import QuerySet

STAMP = r"(?P<stamp>[0-9]{8}T[0-9]{6}Z)"
STAMP_PARAMETER = OpenApiParameter(
    "stamp",
    {"type": "string", "pattern": "^[0-9]{8}T[0-9]{6}Z$"},
    OpenApiParameter.PATH,
    description="The sitting's original start, compact UTC (20260303T090000Z).",
)


class MeetingPatchSerializer(serializers.Serializer):
    """Any of these; a new start or rule re-plans the future sittings. Members are told."""

    title = required_text(max_length=200, required=False)
    description = optional_text()
    start = WallTimeField(required=False, help_text="The first meeting, local time.")
    time_zone = TimeZoneField(required=False)
    duration_minutes = StrictIntegerField(min_value=5, max_value=24 * 60, required=False)
    rrule = optional_text(max_length=500, help_text="RFC 5545 RRULE; empty: one meeting.")
    place = optional_text(max_length=300)
    online_url = serializers.URLField(required=False, allow_blank=True, max_length=200)
    invited_organisations = StrictPrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.active(), required=False
    )


class NoteBody(serializers.Serializer):
    note = optional_text(max_length=500, help_text="Why (told to the members).")


class MoveBody(serializers.Serializer):
    start = WallTimeField(help_text="The new start, local time in the meeting's time zone.")
    duration_minutes = StrictIntegerField(min_value=5, max_value=24 * 60, required=False)
    place = optional_text(max_length=300, required=False)
    online_url = serializers.URLField(required=False, allow_blank=True, max_length=200)
    note = optional_text(max_length=500)


class AgendaBody(serializers.Serializer):
    title = required_text(max_length=200)
    description = optional_text()
    organisation = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(),
        required=False,
        allow_null=True,
        help_text="The member organisation you propose for (if you work for several).",
    )


class AttendanceBody(serializers.Serializer):
    present = StrictPrimaryKeyRelatedField(
        many=True,
        queryset=Organisation.objects.active(),
        help_text="The member organisations that came; the others invited were absent.",
    )


class MinutesBody(serializers.Serializer):
    minutes = optional_text(help_text="Markdown, shown sanitised.")


class DecisionBody(serializers.Serializer):
    text = required_text()


class AgendaItemSerializer(ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "title",
            "description",
            "proposed_by_organisation",
            "status",
            "position",
        ]
        read_only_fields = fields


class DecisionSerializer(ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "text", "created_at"]
        read_only_fields = fields


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)


class AttendanceSerializer(serializers.Serializer):
    organisation = StrictIntegerField(source="organisation_id")
    present = StrictBooleanField()


class AgendaSerializer(serializers.Serializer):
    accepted = AgendaItemSerializer(many=True, help_text="In the order of the agenda.")
    proposed = AgendaItemSerializer(many=True, help_text="Awaiting a coordinator.")
    declined = AgendaItemSerializer(many=True)


class SittingDetailSerializer(SittingSerializer):
    agenda = AgendaSerializer()
    attendance = AttendanceSerializer(many=True, help_text="Empty until it is recorded.")
    minutes = MinutesSerializer()
    decisions = DecisionSerializer(many=True)
    action_items = serializers.ListField(
        child=StrictIntegerField(), help_text="See /api/v1/action-items/?meeting=."
    )


def sitting_detail_data(page: Any) -> dict:
    row = page.sitting.row
    return {
        **sitting_data(page.sitting),
        "agenda": {
            "accepted": page.accepted,
            "proposed": page.proposed,
            "declined": page.declined,
        },
        "attendance": page.attendance,
        "minutes": {
            "minutes": row.minutes if row else "",
            "updated_at": row.minutes_updated_at if row else None,
        },
        "decisions": page.decisions,
        "action_items": [item.pk for item in page.action_items],
    }


def _original(stamp: str | None) -> datetime.datetime:
    original = recurrence.parse_stamp(stamp or "")
    if original is None:
        raise NotVisible()
    return original


def _sitting_action(
    name: str,
    body: type[serializers.Serializer] | None,
    call: Callable[..., Any],
    *,
    summary: str,
    created: type[serializers.Serializer] | None = None,
    url_path: str | None = None,
) -> Any:
    """One operation on a sitting: check who may see the meeting, read the body, call the
    service with ``meeting_id``, ``original_start`` and ``actor``."""

    def operation(self: Any, request: Request, pk: str | None = None, stamp: str | None = None):
        meeting = self._visible_meeting(pk)
        original = _original(stamp)
        data: dict = {}
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        result = call(meeting_id=meeting.pk, original_start=original, actor=request.user, **data)
        if created is not None:
            return Response(created(result).data, status=status.HTTP_201_CREATED)
        return Response(sitting_data(result))

    operation.__name__ = operation.__qualname__ = name
    operation = action(
        detail=True,
        methods=["post"],
        url_path=f"sittings/{STAMP}/{url_path or name.removeprefix('sitting_')}",
        url_name=name.replace("_", "-"),
    )(operation)
    responses = {201: created} if created else {200: SittingSerializer}
    return extend_schema(
        request=body, responses=responses, summary=summary, parameters=[STAMP_PARAMETER]
    )(operation)


class MeetingWritesMixin:
    """Mixed into the meeting viewset (which gives ``_visible_meeting``)."""

    @extend_schema(request=MeetingPatchSerializer, responses={200: MeetingSerializer})
    def partial_update(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        """A coordinator changes the meeting or the whole series."""
        meeting = self._visible_meeting(pk)
        body = MeetingPatchSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.meeting_update(meeting_id=meeting.pk, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=NoteBody, responses={200: MeetingSerializer}, summary="Cancel")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """A coordinator cancels the meeting, or a whole series; the members are told."""
        meeting = self._visible_meeting(pk)
        body = NoteBody(data=request.data)
        body.is_valid(raise_exception=True)
        services.meeting_cancel(
            meeting_id=meeting.pk, actor=request.user, note=body.validated_data.get("note", "")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(
        responses={200: SittingDetailSerializer},
        summary="One sitting: agenda, attendance, minutes, decisions",
        parameters=[STAMP_PARAMETER],
    )
    @action(detail=True, methods=["get"], url_path=f"sittings/{STAMP}", url_name="sitting")
    def sitting(self, request: Request, pk: str | None = None, stamp: str | None = None):
        meeting = self._visible_meeting(pk)
        sitting = services.sitting_get(meeting, _original(stamp))
        page = selectors.sitting_page(sitting)
        return Response(SittingDetailSerializer(sitting_detail_data(page)).data)

    sitting_cancel = _sitting_action(
        "sitting_cancel", NoteBody, services.sitting_cancel, summary="Cancel one sitting"
    )
    sitting_reinstate = _sitting_action(
        "sitting_reinstate", None, services.sitting_reinstate, summary="Reinstate a sitting"
    )
    sitting_move = _sitting_action(
        "sitting_move", MoveBody, services.sitting_move, summary="Move one sitting"
    )
    sitting_agenda = _sitting_action(
        "sitting_agenda",
        AgendaBody,
        services.agenda_propose,
        summary="Propose an agenda item (a coordinator's goes straight on)",
        created=AgendaItemSerializer,
        url_path="agenda",
    )
    sitting_attendance = _sitting_action(
        "sitting_attendance",
        AttendanceBody,
        services.attendance_record,
        summary="Record who came (the sitting is then held)",
        url_path="attendance",
    )
    sitting_decisions = _sitting_action(
        "sitting_decisions",
        DecisionBody,
        services.decision_record,
        summary="Record a decision",
        created=DecisionSerializer,
        url_path="decisions",
    )

    @extend_schema(
        request=MinutesBody,
        responses={200: MinutesSerializer},
        summary="Write the minutes",
        parameters=[STAMP_PARAMETER],
    )
    @action(
        detail=True,
        methods=["put"],
        url_path=f"sittings/{STAMP}/minutes",
        url_name="sitting-minutes",
    )
    def sitting_minutes(
        self, request: Request, pk: str | None = None, stamp: str | None = None
    ) -> Response:
        meeting = self._visible_meeting(pk)
        original = _original(stamp)
        body = MinutesBody(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.minutes_save(
            meeting_id=meeting.pk,
            original_start=original,
            actor=request.user,
            minutes=body.validated_data.get("minutes", ""),
        )
        return Response({"minutes": row.minutes, "updated_at": row.minutes_updated_at})


class AgendaDecisionSerializer(serializers.Serializer):
    accept = StrictBooleanField(help_text="true: on the agenda; false: declined.")


class AgendaMoveSerializer(serializers.Serializer):
    offset = StrictChoiceField(choices=[-1, 1], help_text="-1: up one place; 1: down one.")


class AgendaItemViewSet(viewsets.GenericViewSet):
    """A proposed agenda item, for the coordinators who decide on it."""

    serializer_class = AgendaItemSerializer

    def get_queryset(self) -> QuerySet[AgendaItem]:
        return AgendaItem.objects.none()  # nothing listed: items are read with their sitting

    def _visible(self, pk: str | None) -> int:
        """Invisible is missing, before the body is read."""
        try:
            item_id = int(pk or "")
        except ValueError:
            raise NotVisible() from None
        visible = selectors.meeting_list(self.request.user)
        if not AgendaItem.objects.filter(pk=item_id, occurrence__meeting__in=visible).exists():
            raise NotVisible()
        return item_id

    @extend_schema(request=AgendaMoveSerializer, responses={200: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """A coordinator moves an accepted item up or down the agenda."""
        item_id = self._visible(pk)
        body = AgendaMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.agenda_move(
            item_id=item_id, actor=request.user, offset=body.validated_data["offset"]
        )
        return Response(AgendaItemSerializer(item).data)

    @extend_schema(request=AgendaDecisionSerializer, responses={200: AgendaItemSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """A coordinator puts a proposed item on the agenda, or declines it."""
        item_id = self._visible(pk)
        body = AgendaDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.agenda_decide(
            item_id=item_id, actor=request.user, accept=body.validated_data["accept"]
        )
        return Response(AgendaItemSerializer(item).data)
