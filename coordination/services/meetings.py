"""Meetings and their sittings: scheduling, changes, exceptions, attendance, minutes,
decisions. Every change locks the meeting row for the rest of the transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import notifications, permissions, recurrence, schedule
from coordination.exceptions import (
    AlreadyDone,
    Conflict,
    InvalidRecurrence,
    NotAllowed,
    NotASitting,
    NotVisible,
    ValidationFailed,
)
from coordination.models import (
    Attendance,
    CoordinationGroup,
    Decision,
    Meeting,
    MeetingStatus,
    Occurrence,
    validate_time_zone,
)
from organisations.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from coordination.schedule import Sitting
from coordination.services.common import check_activity, coordinated_group, full_clean, require

MAX_MINUTES_LENGTH = 100_000


def _wall_time(value: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """A naive local time in ``tz``: aware input is converted, naive input is taken as is."""
    if not recurrence.FIRST_YEAR <= value.year <= recurrence.LAST_YEAR:
        raise ValidationFailed(
            _("Choose a date between %(first)s and %(last)s.")
            % {"first": recurrence.FIRST_YEAR, "last": recurrence.LAST_YEAR},
            field="start",
        )
    if timezone.is_aware(value):
        value = value.astimezone(tz).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def _apply_schedule(
    meeting: Meeting, *, start: datetime.datetime | None, rrule: str | None
) -> None:
    try:
        validate_time_zone(meeting.time_zone)
    except ValidationError:
        raise ValidationFailed(_("Choose a known time zone."), field="time_zone") from None
    if start is not None:
        local = _wall_time(start, meeting.tz)
        meeting.start_date, meeting.start_time = local.date(), local.time()
    if rrule is not None:
        try:
            meeting.rrule = recurrence.normalise(rrule, dtstart=meeting.dtstart)
        except recurrence.RecurrenceError as error:
            raise InvalidRecurrence(error.message, field="rrule") from None


def _refresh_bounds(meeting: Meeting, rows: list[Occurrence] | None = None) -> None:
    meeting.first_start, meeting.last_end = schedule.bounds(meeting, rows=rows)


def _check_invited(group: CoordinationGroup, invited: Iterable[Organisation] | None) -> list:
    members = list(group.members.all())
    if invited is None:
        return members
    invited = list(invited)
    member_ids = {organisation.pk for organisation in members}
    require(
        all(organisation.pk in member_ids for organisation in invited),
        _("Invite member organisations of the group."),
        field="invited_organisations",
    )
    return invited or members


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    group: CoordinationGroup,
    title: str,
    start: datetime.datetime,
    time_zone: str = "",
    duration_minutes: int = 120,
    rrule: str = "",
    description: str = "",
    place: str = "",
    online_url: str = "",
    invited_organisations: Iterable[Organisation] | None = None,
) -> Meeting:
    """A coordinator schedules a meeting, or a series when ``rrule`` is given.

    ``start`` is the first sitting's wall-clock time in ``time_zone`` (the group's by default);
    an aware datetime is converted to it. The invited organisations (every member by default)
    and the coordinators are told.
    """
    group = coordinated_group(actor, group.pk)
    meeting = Meeting(
        group=group,
        title=(title or "").strip(),
        description=description or "",
        time_zone=time_zone or group.time_zone,
        duration_minutes=duration_minutes,
        place=place or "",
        online_url=online_url or "",
        created_by=actor,
    )
    require(bool(meeting.title), _("Give the meeting a title."), field="title")
    _apply_schedule(meeting, start=start, rrule=rrule or "")
    _refresh_bounds(meeting, rows=[])
    full_clean(meeting, exclude=["group", "created_by"])
    invited = _check_invited(group, invited_organisations)
    meeting.save()
    meeting.invited_organisations.set(invited)
    now = timezone.now()
    if meeting.last_end is None or meeting.last_end > now:
        sitting = schedule.default_sitting(meeting, now=now)
        notifications.meeting_event(
            meeting=meeting, event="scheduled", sitting=sitting, actor=actor
        )
    return meeting


def locked_meeting(meeting_id: int, actor: User | None) -> Meeting:
    """Lock the meeting for the rest of the transaction; invisible is the same as missing."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("group")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotVisible()
    if actor is not None and not permissions.can_view(actor, meeting.group):
        raise NotVisible()
    return meeting


def _coordinated_meeting(meeting_id: int, actor: User) -> Meeting:
    meeting = locked_meeting(meeting_id, actor)
    if not permissions.can_coordinate(actor, meeting.group):
        raise NotAllowed()
    return meeting


def _not_cancelled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("The meeting is cancelled."))


def _bump(meeting: Meeting, rows: list[Occurrence] | None = None) -> None:
    """A change calendar applications must pick up: new SEQUENCE, new bounds."""
    meeting.sequence += 1
    _refresh_bounds(meeting, rows=rows)
    meeting.save()


MEETING_FIELDS = (
    "title",
    "description",
    "start",
    "time_zone",
    "duration_minutes",
    "rrule",
    "place",
    "online_url",
    "invited_organisations",
)


def _prune_rows(meeting: Meeting, *, now: datetime.datetime) -> None:
    """After a change of schedule: rows the new rule no longer produces.

    A past sitting keeps its row (its attendance and minutes are history); so does a future one
    that holds agenda items or other records (it stays on the calendar as an extra sitting that
    the coordinator can cancel or move). Bare exceptions (a move or a cancellation) go.
    """
    if not meeting.is_series:
        # A single meeting has one sitting: its row follows the new date.
        meeting.occurrences.update(
            original_start=meeting.dtstart.astimezone(datetime.UTC),
            moved_start=None,
            moved_end=None,
        )
        return
    for row in meeting.occurrences.filter(original_start__gte=now):
        in_rule = recurrence.is_occurrence(
            rule=meeting.rrule,
            dtstart=meeting.dtstart,
            moment=row.original_start.astimezone(meeting.tz),
        )
        if not in_rule and not row.has_content:
            row.delete()


@transaction.atomic
def meeting_update(*, meeting_id: int, actor: User, **fields: Any) -> Meeting:
    """A coordinator changes a meeting or a whole series (title, time, rule, place, invites).

    Changing the time or the rule of a series re-plans its future sittings (see
    ``_prune_rows``); everyone invited is told.
    """
    meeting = _coordinated_meeting(meeting_id, actor)
    _not_cancelled(meeting)
    unknown = set(fields) - set(MEETING_FIELDS)
    require(
        not unknown, _("These fields cannot be changed here."), field=min(unknown, default=None)
    )
    before = (meeting.dtstart, meeting.rrule, meeting.duration_minutes)
    invited = fields.pop("invited_organisations", None)
    start = fields.pop("start", None)
    rrule = fields.pop("rrule", None)
    for name, value in fields.items():
        setattr(meeting, name, value if value is not None else "")
    require(bool(meeting.title.strip()), _("Give the meeting a title."), field="title")
    if start is None and "time_zone" in fields:
        start = datetime.datetime.combine(meeting.start_date, meeting.start_time)
    if rrule is None and start is not None:
        rrule = meeting.rrule  # the same rule must still fit the new first sitting
    _apply_schedule(meeting, start=start, rrule=rrule)
    full_clean(meeting, exclude=["group", "created_by"])
    if (meeting.dtstart, meeting.rrule, meeting.duration_minutes) != before:
        meeting.save()
        _prune_rows(meeting, now=timezone.now())
    if invited is not None:
        meeting.invited_organisations.set(_check_invited(meeting.group, invited))
    _bump(meeting)
    now = timezone.now()
    if meeting.last_end is None or meeting.last_end > now:
        notifications.meeting_event(
            meeting=meeting,
            event="changed",
            sitting=schedule.default_sitting(meeting, now=now),
            actor=actor,
        )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting_id: int, actor: User, note: str = "") -> Meeting:
    """A coordinator cancels a meeting or a whole series; calendars show it cancelled."""
    meeting = _coordinated_meeting(meeting_id, actor)
    if meeting.status == MeetingStatus.CANCELLED:
        raise AlreadyDone(_("The meeting is cancelled already."))
    if meeting.status == MeetingStatus.HELD:
        raise Conflict(_("The meeting was held."))
    meeting.status = MeetingStatus.CANCELLED
    if note:
        meeting.description = (meeting.description + "\n\n" + note).strip()
    _bump(meeting)
    notifications.meeting_event(
        meeting=meeting,
        event="cancelled",
        sitting=schedule.default_sitting(meeting, now=timezone.now()),
        actor=actor,
    )
    return meeting


# Sittings ---------------------------------------------------------------------------------------


def sitting_get(meeting: Meeting, original_start: datetime.datetime) -> Sitting:
    """The sitting of the meeting that originally starts then (404 when there is none)."""
    if not recurrence.FIRST_YEAR <= original_start.year <= recurrence.LAST_YEAR:
        raise NotASitting()
    sitting = schedule.sitting_at(meeting, original_start)
    if sitting is None:
        raise NotASitting()
    return sitting


def sitting_row(meeting: Meeting, sitting: Sitting) -> Occurrence:
    """The sitting's occurrence row, created now if needed (the meeting row is locked)."""
    if sitting.row is not None:
        return sitting.row
    row, _created = Occurrence.objects.get_or_create(
        meeting=meeting, original_start=sitting.original_start
    )
    sitting.row = row
    return row


def resolve_sitting(
    meeting_id: int, original_start: datetime.datetime | None, actor: User
) -> tuple:
    meeting = locked_meeting(meeting_id, actor)
    return meeting, _sitting_of(meeting, original_start)


def _sitting_of(meeting: Meeting, original_start: datetime.datetime | None) -> Sitting:
    if original_start is None:
        sitting = schedule.default_sitting(meeting, now=timezone.now())
        if sitting is None:
            raise NotASitting()
        return sitting
    return sitting_get(meeting, original_start)


def coordinated_sitting(
    meeting_id: int, original_start: datetime.datetime | None, actor: User
) -> tuple[Meeting, Sitting]:
    """The sitting, for a coordinator of the meeting's group (who may is asked first)."""
    meeting = locked_meeting(meeting_id, actor)
    if not permissions.can_coordinate(actor, meeting.group):
        raise NotAllowed()
    return meeting, _sitting_of(meeting, original_start)


@transaction.atomic
def sitting_cancel(
    *, meeting_id: int, original_start: datetime.datetime, actor: User, note: str = ""
) -> Sitting:
    """A coordinator cancels one sitting; the rest of the series is untouched (EXDATE)."""
    meeting, sitting = coordinated_sitting(meeting_id, original_start, actor)
    if not meeting.is_series:
        meeting_cancel(meeting_id=meeting.pk, actor=actor, note=note)
        return sitting_get(Meeting.objects.get(pk=meeting.pk), original_start)
    _not_cancelled(meeting)
    if sitting.status == MeetingStatus.CANCELLED:
        raise AlreadyDone(_("This meeting is cancelled already."))
    if sitting.status == MeetingStatus.HELD:
        raise Conflict(_("This meeting was held."))
    row = sitting_row(meeting, sitting)
    row.status = MeetingStatus.CANCELLED
    row.note = (note or "").strip()[:500]
    row.save()
    _bump(meeting)
    sitting = sitting_get(meeting, original_start)
    notifications.sitting_event(meeting=meeting, event="cancelled", sitting=sitting, actor=actor)
    return sitting


@transaction.atomic
def sitting_reinstate(
    *, meeting_id: int, original_start: datetime.datetime, actor: User
) -> Sitting:
    """Undo the cancellation of one sitting."""
    meeting, sitting = coordinated_sitting(meeting_id, original_start, actor)
    _not_cancelled(meeting)
    if sitting.row is None or sitting.row.status != MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting is not cancelled."))
    sitting.row.status = MeetingStatus.SCHEDULED
    sitting.row.note = ""
    sitting.row.save()
    _bump(meeting)
    sitting = sitting_get(meeting, original_start)
    notifications.sitting_event(meeting=meeting, event="changed", sitting=sitting, actor=actor)
    return sitting


@transaction.atomic
def sitting_move(
    *,
    meeting_id: int,
    original_start: datetime.datetime,
    actor: User,
    start: datetime.datetime,
    duration_minutes: int | None = None,
    place: str | None = None,
    online_url: str | None = None,
    note: str = "",
) -> Sitting:
    """A coordinator moves one sitting (or changes its place) without touching the series.

    For a series this writes an exception keyed by the original start (a RECURRENCE-ID in the
    calendar); a single meeting simply changes.
    """
    meeting, sitting = coordinated_sitting(meeting_id, original_start, actor)
    _not_cancelled(meeting)
    if sitting.status != MeetingStatus.SCHEDULED:
        raise Conflict(_("Only a scheduled meeting can be moved."))
    duration = datetime.timedelta(minutes=duration_minutes or meeting.duration_minutes)
    require(
        datetime.timedelta(minutes=5) <= duration <= datetime.timedelta(hours=24),
        _("A meeting lasts from 5 minutes to 24 hours."),
        field="duration_minutes",
    )
    new_start = _wall_time(start, meeting.tz).replace(tzinfo=meeting.tz)
    if not meeting.is_series:
        changes: dict[str, Any] = {"start": new_start}
        if duration_minutes:
            changes["duration_minutes"] = duration_minutes
        if place is not None:
            changes["place"] = place
        if online_url is not None:
            changes["online_url"] = online_url
        meeting_update(meeting_id=meeting.pk, actor=actor, **changes)
        meeting = Meeting.objects.get(pk=meeting.pk)
        return sitting_get(meeting, meeting.dtstart)
    row = sitting_row(meeting, sitting)
    original = sitting.original_start
    if new_start == original and duration == meeting.duration:
        row.moved_start = row.moved_end = None
    else:
        row.moved_start = new_start.astimezone(datetime.UTC)
        row.moved_end = (new_start + duration).astimezone(datetime.UTC)
    if place is not None:
        row.place = "" if place == meeting.place else place
    if online_url is not None:
        row.online_url = "" if online_url == meeting.online_url else online_url
    row.note = (note or "").strip()[:500]
    full_clean(row, exclude=["meeting"])
    row.save()
    _bump(meeting)
    sitting = sitting_get(meeting, original_start)
    notifications.sitting_event(meeting=meeting, event="changed", sitting=sitting, actor=actor)
    return sitting


@transaction.atomic
def attendance_record(
    *,
    meeting_id: int,
    original_start: datetime.datetime,
    actor: User,
    present: Iterable[Organisation],
) -> Sitting:
    """After the meeting started, a coordinator records which organisations came; the sitting
    is then held. Recording again replaces the previous record."""
    meeting, sitting = coordinated_sitting(meeting_id, original_start, actor)
    if sitting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("This meeting is cancelled."))
    now = timezone.now()
    if sitting.starts_at > now:
        raise Conflict(_("Attendance is recorded once the meeting has started."))
    members = {organisation.pk: organisation for organisation in meeting.group.members.all()}
    present_ids = {organisation.pk for organisation in present}
    require(
        present_ids <= set(members),
        _("Choose member organisations of the group."),
        field="present",
    )
    invited_ids = set(meeting.invited_organisations.values_list("pk", flat=True)) or set(members)
    row = sitting_row(meeting, sitting)
    row.attendance.all().delete()
    Attendance.objects.bulk_create(
        Attendance(
            occurrence=row,
            organisation=members[organisation_id],
            present=organisation_id in present_ids,
            recorded_by=actor,
            recorded_at=now,
        )
        for organisation_id in sorted(invited_ids | present_ids)
    )
    row.status = MeetingStatus.HELD
    row.save(update_fields=["status", "updated_at"])
    if not meeting.is_series:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated_at"])
    return sitting_get(meeting, sitting.original_start)


@transaction.atomic
def minutes_save(
    *, meeting_id: int, original_start: datetime.datetime, actor: User, minutes: str
) -> Occurrence:
    """A coordinator writes the minutes (Markdown, rendered sanitised)."""
    meeting, sitting = coordinated_sitting(meeting_id, original_start, actor)
    require(
        len(minutes or "") <= MAX_MINUTES_LENGTH, _("The minutes are too long."), field="minutes"
    )
    row = sitting_row(meeting, sitting)
    row.minutes = (minutes or "").strip()
    row.minutes_updated_at = timezone.now()
    row.minutes_updated_by = actor
    row.save(update_fields=["minutes", "minutes_updated_at", "minutes_updated_by", "updated_at"])
    return row


@transaction.atomic
def decision_record(
    *,
    meeting_id: int,
    original_start: datetime.datetime,
    actor: User,
    text: str,
    activity: Any = None,
) -> Decision:
    """A coordinator records a decision taken at the meeting (about an activity of one of the
    group's plans, if given)."""
    meeting, sitting = coordinated_sitting(meeting_id, original_start, actor)
    text = (text or "").strip()
    require(bool(text), _("Write the decision."), field="text")
    check_activity(meeting.group, activity)
    return Decision.objects.create(
        occurrence=sitting_row(meeting, sitting), text=text, recorded_by=actor, activity=activity
    )
