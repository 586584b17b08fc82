"""iCalendar (RFC 5545) for meetings, with the ``icalendar`` library.

One VEVENT per meeting, with ``DTSTART;TZID=<zone>`` at the local wall time and, for a series,
its RRULE. Sittings that differ from the series are described the standard way so that calendar
applications show the series correctly:

- a cancelled sitting is an EXDATE of the series;
- a moved sitting (or one with another place or link) is a second VEVENT with the same UID and a
  RECURRENCE-ID equal to its original start;
- a sitting kept from an earlier schedule that the rule no longer produces is an RDATE (with its
  own RECURRENCE-ID VEVENT when it differs too).

Each time zone used gets a VTIMEZONE built from the tz database, so that clients do not have to
know the zone; SEQUENCE rises with every change so that clients replace what they had.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vRecur

from coordination import recurrence
from coordination.models import Meeting, MeetingStatus, Occurrence

PRODID = "-//Relais//Coordination meetings//EN"
UTC = datetime.UTC


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    # Building a VTIMEZONE walks the tz database: done once per zone and range.
    component = Timezone.from_tzinfo(
        zoneinfo.ZoneInfo(tzid),
        tzid=tzid,
        first_date=datetime.date(first_year, 1, 1),
        last_date=datetime.date(last_year, 1, 1),
    )
    return component.to_ical()


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _event(meeting: Meeting, *, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    description = [meeting.group.name]
    if meeting.description:
        description.append(meeting.description)
    if meeting.online_url:
        description.append(meeting.online_url)
    event.add("description", "\n\n".join(description))
    event.add("url", _absolute(reverse("coordination:meeting", args=[meeting.pk])))
    if meeting.place or meeting.online_url:
        event.add("location", meeting.place or meeting.online_url)
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    return event


def _status(status: str) -> str:
    return "CANCELLED" if status == MeetingStatus.CANCELLED else "CONFIRMED"


def _times(meeting: Meeting, row: Occurrence | None) -> tuple[datetime.datetime, datetime.datetime]:
    tz = meeting.tz
    if row is not None and row.moved_start is not None:
        return row.moved_start.astimezone(tz), row.moved_end.astimezone(tz)
    start = row.original_start.astimezone(tz) if row is not None else meeting.dtstart
    return start, start + meeting.duration


def meeting_events(
    meeting: Meeting, rows: Iterable[Occurrence], *, stamp: datetime.datetime
) -> list[Event]:
    """The VEVENTs of one meeting: the master, then one per sitting that differs."""
    tz = meeting.tz
    rows = sorted(rows, key=lambda r: r.original_start)
    master = _event(meeting, stamp=stamp)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    master.add("status", _status(meeting.status))
    if not meeting.is_series:
        row = rows[0] if rows else None
        start, end = _times(meeting, row)
        master.add("dtstart", start)
        master.add("dtend", end)
        if row is not None and (row.place or row.online_url):
            master["location"] = row.place or row.online_url
        return [master]

    master.add("dtstart", meeting.dtstart)
    master.add("dtend", meeting.dtstart + meeting.duration)
    master.add("rrule", vRecur.from_ical(meeting.rrule))
    in_rule = _in_rule(meeting, rows)
    exdates, rdates, overrides = [], [], []
    for row in rows:
        original = row.original_start.astimezone(tz)
        if row.status == MeetingStatus.CANCELLED:
            if row.original_start in in_rule:
                exdates.append(original)
            continue
        if row.original_start not in in_rule:
            rdates.append(original)
        if row.is_override:
            overrides.append(row)
    if exdates:
        master.add("exdate", exdates)
    if rdates:
        master.add("rdate", rdates)
    events = [master]
    for row in overrides:
        event = _event(meeting, stamp=stamp)
        start, end = _times(meeting, row)
        event.add("recurrence-id", row.original_start.astimezone(tz))
        event.add("dtstart", start)
        event.add("dtend", end)
        if row.place or row.online_url:
            event["location"] = row.place or row.online_url
        event.add("status", _status(MeetingStatus.CANCELLED if cancelled else row.status))
        events.append(event)
    return events


def _in_rule(meeting: Meeting, rows: list[Occurrence]) -> set[datetime.datetime]:
    """Which rows' original starts the rule produces (one expansion up to the last row)."""
    if not rows:
        return set()
    first = rows[0].original_start - datetime.timedelta(seconds=1)
    last = rows[-1].original_start + datetime.timedelta(seconds=1)
    rule = recurrence.rule_for(meeting.rrule, meeting.dtstart)
    return {moment.astimezone(UTC) for moment in rule.between(first, last)}


def calendar(
    meetings: Iterable[Meeting], *, name: str, rows_of: dict[int, list[Occurrence]] | None = None
) -> bytes:
    """A VCALENDAR with every meeting given and the VTIMEZONEs they need."""
    meetings = list(meetings)
    now = timezone.now().astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", " ".join(name.split()))
    cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    zones: dict[str, int] = {}
    for meeting in meetings:
        first = min(meeting.start_date.year, meeting.first_start.year)
        zones[meeting.time_zone] = min(zones.get(meeting.time_zone, first), first)
    last_year = max(now.year, *(m.start_date.year for m in meetings), now.year) + 20
    for tzid, first_year in sorted(zones.items()):
        cal.add_component(Timezone.from_ical(_vtimezone(tzid, first_year, last_year)))
    for meeting in meetings:
        rows = rows_of[meeting.pk] if rows_of is not None else list(meeting.occurrences.all())
        for event in meeting_events(meeting, rows, stamp=now):
            cal.add_component(event)
    return cal.to_ical()
