"""The sittings of a meeting: its rule expanded, merged with the occurrence rows (exceptions).

A sitting is what people see in a calendar: when and where, and whether it is on. It comes from
the rule (``in_rule``) or from an occurrence row that the current rule no longer produces (a
sitting kept from an earlier schedule because something was recorded for it: iCalendar RDATE).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from coordination import recurrence
from coordination.models import Meeting, MeetingStatus, Occurrence

UTC = datetime.UTC


@dataclass
class Sitting:
    meeting: Meeting
    original_start: datetime.datetime  # UTC: the key (RECURRENCE-ID)
    starts_at: datetime.datetime  # in the meeting's zone
    ends_at: datetime.datetime
    status: str
    place: str
    online_url: str
    row: Occurrence | None
    in_rule: bool = True

    @property
    def stamp(self) -> str:
        return recurrence.stamp(self.original_start)

    @property
    def is_moved(self) -> bool:
        return self.row is not None and self.row.is_moved

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def original_local(self) -> datetime.datetime:
        return self.original_start.astimezone(self.meeting.tz)

    @property
    def time_zone(self) -> str:
        return self.meeting.time_zone

    def get_status_display(self) -> str:
        return str(MeetingStatus(self.status).label)

    def get_absolute_url(self) -> str:
        return reverse("coordination:sitting", args=[self.meeting.pk, self.stamp])

    @cached_property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


def _effective(meeting: Meeting, row: Occurrence) -> tuple[datetime.datetime, datetime.datetime]:
    if row.moved_start is not None:
        return row.moved_start, row.moved_end
    return row.original_start, row.original_start + meeting.duration


def sitting_for(meeting: Meeting, original: datetime.datetime, row: Occurrence | None) -> Sitting:
    """One sitting from its original start and its row (if any)."""
    tz = meeting.tz
    if row is not None:
        starts_at, ends_at = _effective(meeting, row)
        status = row.status
        place = row.place or meeting.place
        online_url = row.online_url or meeting.online_url
    else:
        starts_at, ends_at = original, original + meeting.duration
        status = MeetingStatus.SCHEDULED
        place, online_url = meeting.place, meeting.online_url
    if meeting.status == MeetingStatus.CANCELLED:
        status = MeetingStatus.CANCELLED
    elif meeting.status == MeetingStatus.HELD and not meeting.is_series:
        status = MeetingStatus.HELD
    return Sitting(
        meeting=meeting,
        original_start=original.astimezone(UTC),
        starts_at=starts_at.astimezone(tz),
        ends_at=ends_at.astimezone(tz),
        status=status,
        place=place,
        online_url=online_url,
        row=row,
    )


def sittings(
    meeting: Meeting,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    rows: Iterable[Occurrence] | None = None,
    include_cancelled: bool = True,
) -> list[Sitting]:
    """Sittings of one meeting that overlap ``[start, end)``, in time order.

    ``rows`` are the meeting's occurrence rows that may concern the window (all of them when
    None: one query). A row moved into the window from outside it is included; a row moved out
    of it is not.
    """
    if rows is None:
        rows = meeting.occurrences.all()
    by_key = {row.original_start.astimezone(UTC): row for row in rows}
    originals = recurrence.starts_between(
        rule=meeting.rrule,
        dtstart=meeting.dtstart,
        duration=meeting.duration,
        start=start,
        end=end,
    )
    found: list[Sitting] = []
    for original in originals:
        key = original.astimezone(UTC)
        found.append(sitting_for(meeting, original, by_key.pop(key, None)))
    window_start = start - meeting.duration
    for key, row in by_key.items():
        sitting = sitting_for(meeting, key, row)
        if window_start < key < end:
            sitting.in_rule = False  # inside the expanded window yet not produced: detached
        else:
            sitting.in_rule = recurrence.is_occurrence(
                rule=meeting.rrule, dtstart=meeting.dtstart, moment=key.astimezone(meeting.tz)
            )
        found.append(sitting)
    found = [s for s in found if s.starts_at < end and s.ends_at > start]
    if not include_cancelled:
        found = [s for s in found if not s.is_cancelled]
    found.sort(key=lambda s: (s.starts_at, s.meeting.pk))
    return found


def sitting_at(meeting: Meeting, original: datetime.datetime) -> Sitting | None:
    """The sitting whose original start is ``original`` (UTC), if the meeting has one."""
    original = original.astimezone(UTC)
    row = meeting.occurrences.filter(original_start=original).first()
    in_rule = recurrence.is_occurrence(
        rule=meeting.rrule, dtstart=meeting.dtstart, moment=original.astimezone(meeting.tz)
    )
    if row is None and not in_rule:
        return None
    sitting = sitting_for(meeting, original, row)
    sitting.in_rule = in_rule
    return sitting


def bounds(
    meeting: Meeting, *, rows: Iterable[Occurrence] | None = None
) -> tuple[datetime.datetime, datetime.datetime | None]:
    """(start of the earliest sitting, end of the latest or None if the series never ends)."""
    if rows is None:
        rows = meeting.occurrences.all()
    starts = [meeting.dtstart]
    ends = [meeting.dtstart + meeting.duration]
    for row in rows:
        starts_at, ends_at = _effective(meeting, row)
        starts.append(starts_at)
        ends.append(ends_at)
    last = recurrence.last_start(rule=meeting.rrule, dtstart=meeting.dtstart)
    first_start = min(starts).astimezone(UTC)
    if last is None:
        return first_start, None
    ends.append(last + meeting.duration)
    return first_start, max(ends).astimezone(UTC)


def default_sitting(meeting: Meeting, *, now: datetime.datetime) -> Sitting | None:
    """The sitting a meeting page opens on: the next one not over, else the latest."""
    if not meeting.is_series:
        return sitting_at(meeting, meeting.dtstart)
    upcoming = sittings(meeting, start=now, end=now + datetime.timedelta(days=400))
    if upcoming:
        return upcoming[0]
    past = sittings(meeting, start=now - datetime.timedelta(days=400), end=now)
    if past:
        return past[-1]
    return sitting_at(meeting, meeting.dtstart)
