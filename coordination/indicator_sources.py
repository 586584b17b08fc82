"""What coordination measures of itself for a plan's computed indicators: meetings held, the
attendance rate and action items done on time. Counts of meetings and tasks, never of people:
no disclosure control is needed here (the referral sources have it)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination import indicators, recurrence, selectors
from coordination.indicators import Source, Value, Window
from coordination.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    Meeting,
    MeetingStatus,
    Occurrence,
)
from coordination.periods import Period


def _period_at(periods: list[Period], day: datetime.date) -> Period | None:
    return next((p for p in periods if p.start <= day < p.end), None)


def _span(window: Window) -> tuple[datetime.datetime, datetime.datetime]:
    """From the first period's start to the last one's end, or now if that comes first: a
    sitting counts once it has begun."""
    start = window.periods[0].bounds(window.time_zone)[0]
    end = window.periods[-1].bounds(window.time_zone)[1]
    return start, min(end, timezone.now())


def meetings_held(window: Window) -> dict[object, Value]:
    """The group's sittings that took place (not cancelled, already begun), per period.

    Single meetings with nothing recorded at them (most of them) are counted in the database;
    series and meetings with a recorded sitting (moved, cancelled, minuted) are expanded."""
    found: dict[object, Value] = {p.start: 0 for p in window.periods}
    if not window.periods:
        return found
    start, until = _span(window)
    if start >= until:
        return found
    recorded = Occurrence.objects.filter(meeting=OuterRef("pk"))
    meetings = Meeting.objects.filter(group=window.group)
    plain = (
        meetings.filter(rrule="", first_start__gte=start, first_start__lt=until)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(Exists(recorded))
        .annotate(period=window.period_case("first_start"))
        .values("period")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_index = {p.index: p.start for p in window.periods}
    for row in plain:
        if row["period"] in by_index:
            found[by_index[row["period"]]] += row["n"]
    # Series with nothing recorded: their rule alone says when they sit (no rows to read).
    series = (
        meetings.filter(rrule__gt="", first_start__lt=until)
        .filter(Q(last_end__isnull=True) | Q(last_end__gt=start))
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(Exists(recorded))
        .only("rrule", "start_date", "start_time", "time_zone", "duration_minutes")
    )
    for meeting in series:
        for original in recurrence.starts_between(
            rule=meeting.rrule,
            dtstart=meeting.dtstart,
            duration=meeting.duration,
            start=start,
            end=until,
        ):
            period = _period_at(window.periods, original.astimezone(window.time_zone).date())
            if period is not None and original >= start:
                found[period.start] += 1
    # Meetings with a recorded sitting (moved, cancelled, minuted): sitting by sitting.
    for sitting in selectors.sittings_between(
        meetings.filter(Exists(recorded)), start=start, end=until, include_cancelled=False
    ):
        if sitting.starts_at > until or sitting.starts_at < start:
            continue
        period = _period_at(window.periods, sitting.starts_at.astimezone(window.time_zone).date())
        if period is not None:
            found[period.start] += 1
    return found


def attendance_rate(window: Window) -> dict[object, Value]:
    """Of the organisations whose attendance was recorded at the period's sittings (held, not
    cancelled), the share that was present (per cent); None when none was recorded. Attendance
    lives on the sittings' rows: read in the database, whatever the number of meetings."""
    if not window.periods:
        return {}
    start, until = _span(window)
    moment = Coalesce("occurrence__moved_start", "occurrence__original_start")
    rows = (
        Attendance.objects.filter(occurrence__meeting__group=window.group)
        .exclude(occurrence__status=MeetingStatus.CANCELLED)
        .exclude(occurrence__meeting__status=MeetingStatus.CANCELLED)
        .annotate(moment=moment)
        .filter(moment__gte=start, moment__lt=until)
        .annotate(period=window.period_case("moment"))
        .values("period")
        .annotate(recorded=Count("pk"), present=Count("pk", filter=Q(present=True)))
        .order_by()
    )
    counts = {row["period"]: row for row in rows}
    values: dict[object, Value] = {}
    for period in window.periods:
        row = counts.get(period.index)
        values[period.start] = (
            round(100 * row["present"] / row["recorded"], 1) if row and row["recorded"] else None
        )
    return values


def action_items_on_time(window: Window) -> dict[object, Value]:
    """Of the group's action items due in the period (cancelled ones aside), the share done by
    their due date (per cent, in the group's time zone); None when none was due."""
    if not window.periods:
        return {}
    today = timezone.now().astimezone(window.time_zone).date()
    items = ActionItem.objects.filter(
        group=window.group,
        due_on__gte=window.periods[0].start,
        due_on__lt=min(window.periods[-1].end, today),
    ).exclude(status=ActionStatus.CANCELLED)
    due: dict[object, int] = {p.start: 0 for p in window.periods}
    on_time: dict[object, int] = dict(due)
    for due_on, status, completed_at in items.values_list("due_on", "status", "completed_at"):
        period = _period_at(window.periods, due_on)
        if period is None:
            continue
        due[period.start] += 1
        done_by = completed_at.astimezone(window.time_zone).date() if completed_at else None
        if status == ActionStatus.DONE and done_by is not None and done_by <= due_on:
            on_time[period.start] += 1
    return {
        start: (round(100 * on_time[start] / count, 1) if count else None)
        for start, count in due.items()
    }


def register() -> None:
    indicators.register(
        Source("meetings_held", _("Meetings held"), _("meetings"), "sum", meetings_held)
    )
    indicators.register(
        Source("attendance_rate", _("Attendance rate"), "%", "latest", attendance_rate)
    )
    indicators.register(
        Source(
            "action_items_on_time",
            _("Action items done on time"),
            "%",
            "latest",
            action_items_on_time,
        )
    )
