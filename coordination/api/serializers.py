from __future__ import annotations

import datetime
import zoneinfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.serializers import (
    ModelSerializer,
    QueryBooleanField,
    QuerySerializer,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    optional_text,
    required_text,
)
from coordination import recurrence, schedule
from coordination.models import (
    ActionItem,
    ActionStatus,
    CoordinationGroup,
    Meeting,
    validate_time_zone,
)
from organisations.models import Organisation

# ISO 8601 as parse_datetime reads it: date, T, hours and minutes, optional seconds and offset.
WALL_TIME_PATTERN = (
    r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]"
    r"(:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$"
)


@extend_schema_field(
    {
        "type": "string",
        "example": "2026-03-03T10:00:00",
        "pattern": WALL_TIME_PATTERN,
        "description": "Local wall-clock time in the meeting's time zone (an offset is converted).",
    }
)
class WallTimeField(serializers.Field):
    """A local date and time; with an offset it is converted to the meeting's zone."""

    default_error_messages = {"invalid": _("Enter a date and time such as 2026-03-03T10:00.")}

    def to_internal_value(self, data: object) -> datetime.datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            value = parse_datetime(data.strip())
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value: datetime.datetime) -> str:
        return value.replace(tzinfo=None).isoformat()


@extend_schema_field(
    {
        "type": "string",
        "enum": ["", *sorted(zoneinfo.available_timezones())],
        "description": "An IANA time zone name; empty for the group's (or Africa/Tunis).",
    }
)
class TimeZoneField(StrictCharField):
    """An IANA time zone name (Africa/Tunis, Europe/Paris)."""

    default_error_messages = {"unknown": _("This is not a known time zone.")}

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> str:
        value = super().to_internal_value(data)
        if value:
            try:
                validate_time_zone(value)
            except DjangoValidationError:
                self.fail("unknown")
        return value


class CoordinationGroupSerializer(ModelSerializer):
    convening_organisation_name = serializers.CharField(
        source="convening_organisation.name", read_only=True
    )
    members = StrictPrimaryKeyRelatedField(many=True, read_only=True)
    coordinators = serializers.SerializerMethodField()
    is_coordinator = serializers.SerializerMethodField()

    class Meta:
        model = CoordinationGroup
        fields = [
            "id",
            "name",
            "description",
            "convening_organisation",
            "convening_organisation_name",
            "members",
            "coordinators",
            "is_coordinator",
            "time_zone",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_coordinators(self, group: CoordinationGroup) -> list[str]:
        return [user.get_full_name() or user.username for user in group.coordinators.all()]

    def get_is_coordinator(self, group: CoordinationGroup) -> bool:
        return group.pk in self.context.get("coordinated", set())


class CoordinationGroupCreateSerializer(serializers.Serializer):
    name = required_text(max_length=200)
    description = optional_text(default="")
    convening_organisation = StrictPrimaryKeyRelatedField(queryset=Organisation.objects.active())
    members = StrictPrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.active(), required=False, default=list
    )
    time_zone = TimeZoneField(required=False, default="")


class SittingSerializer(serializers.Serializer):
    original_start = serializers.CharField(help_text="The key of the sitting (UTC).")
    starts_at = serializers.CharField(help_text="In the meeting's time zone, with its offset.")
    ends_at = serializers.CharField()
    status = serializers.CharField()
    place = serializers.CharField()
    online_url = serializers.CharField()


def sitting_data(sitting: schedule.Sitting) -> dict:
    return {
        "original_start": sitting.original_start.isoformat().replace("+00:00", "Z"),
        "starts_at": sitting.starts_at.isoformat(),
        "ends_at": sitting.ends_at.isoformat(),
        "status": sitting.status,
        "place": sitting.place,
        "online_url": sitting.online_url,
    }


class MeetingSerializer(ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    start = WallTimeField(source="dtstart", read_only=True)
    is_series = StrictBooleanField(read_only=True)
    recurrence = serializers.SerializerMethodField()
    invited_organisations = StrictPrimaryKeyRelatedField(many=True, read_only=True)
    next_sittings = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "group",
            "group_name",
            "title",
            "description",
            "start",
            "time_zone",
            "duration_minutes",
            "rrule",
            "is_series",
            "recurrence",
            "place",
            "online_url",
            "status",
            "invited_organisations",
            "first_start",
            "last_end",
            "sequence",
            "next_sittings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_recurrence(self, meeting: Meeting) -> str:
        return recurrence.describe(meeting.rrule, tz=meeting.tz)

    @extend_schema_field(SittingSerializer(many=True))
    def get_next_sittings(self, meeting: Meeting) -> list[dict]:
        now = self.context.get("now") or timezone.now()
        sittings = schedule.sittings(
            meeting,
            start=now,
            end=now + datetime.timedelta(days=400),
            rows=meeting.occurrences.all(),
        )
        return [sitting_data(s) for s in sittings[:5]]


class MeetingCreateSerializer(serializers.Serializer):
    group = StrictPrimaryKeyRelatedField(queryset=CoordinationGroup.objects.none())
    title = required_text(max_length=200)
    description = optional_text(default="")
    start = WallTimeField(help_text="The first meeting, local time in time_zone.")
    time_zone = TimeZoneField(
        required=False, default="", help_text="Default: the group's time zone."
    )
    duration_minutes = StrictIntegerField(min_value=5, max_value=24 * 60, default=120)
    rrule = optional_text(
        default="",
        max_length=500,
        help_text="RFC 5545 RRULE for a series, e.g. FREQ=MONTHLY;BYDAY=1TU.",
    )
    place = optional_text(default="", max_length=300)
    online_url = serializers.URLField(required=False, allow_blank=True, default="", max_length=200)
    invited_organisations = StrictPrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.active(), required=False, default=None
    )

    def __init__(self, *args: object, groups=None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups


class MeetingFilterSerializer(QuerySerializer):
    group = StrictIntegerField(required=False, min_value=1)
    upcoming = QueryBooleanField(help_text="Only meetings not over yet.")


class ActionItemSerializer(ModelSerializer):
    meeting = StrictIntegerField(source="occurrence.meeting_id", read_only=True)
    meeting_title = serializers.CharField(source="occurrence.meeting.title", read_only=True)
    sitting = serializers.DateTimeField(
        source="occurrence.original_start",
        read_only=True,
        help_text="The original start of the sitting that decided it.",
    )
    group_name = serializers.CharField(source="group.name", read_only=True)
    owner_organisation_name = serializers.CharField(
        source="owner_organisation.name", read_only=True, default=None, allow_null=True
    )
    owner_user_name = serializers.SerializerMethodField()
    is_overdue = StrictBooleanField(read_only=True)
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "group",
            "group_name",
            "meeting",
            "meeting_title",
            "sitting",
            "title",
            "description",
            "owner_organisation",
            "owner_organisation_name",
            "owner_user",
            "owner_user_name",
            "due_on",
            "status",
            "progress_note",
            "is_overdue",
            "can_edit",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_owner_user_name(self, item: ActionItem) -> str | None:
        user = item.owner_user
        return (user.get_full_name() or user.username) if user else None

    def get_can_edit(self, item: ActionItem) -> bool:
        return item.pk in self.context.get("editable", set())


class ActionItemCreateSerializer(serializers.Serializer):
    meeting = StrictPrimaryKeyRelatedField(queryset=Meeting.objects.none())
    sitting = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Original start of the sitting (default: the latest that began).",
    )
    title = required_text(max_length=300)
    description = optional_text(default="")
    owner_organisation = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(), required=False, allow_null=True, default=None
    )
    owner_user = StrictPrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    due_on = serializers.DateField()

    def __init__(self, *args: object, meetings=None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings

    def validate(self, data: dict) -> dict:
        if data.get("owner_organisation") is None and data.get("owner_user") is None:
            raise serializers.ValidationError(
                {"owner_organisation": [_("Name the organisation or the person who does it.")]}
            )
        return data


class ActionItemPatchSerializer(serializers.Serializer):
    title = required_text(max_length=300, required=False)
    description = optional_text()
    owner_organisation = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(), required=False, allow_null=True
    )
    owner_user = StrictPrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False)
    status = StrictChoiceField(choices=ActionStatus.choices, required=False)
    progress_note = optional_text(max_length=5000)


class ActionItemFilterSerializer(QuerySerializer):
    mine = QueryBooleanField(help_text="Only what you or your organisations were given.")
    status = StrictChoiceField(choices=ActionStatus.choices, required=False)
    group = StrictIntegerField(required=False, min_value=1)
    meeting = StrictIntegerField(required=False, min_value=1)
