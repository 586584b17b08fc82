"""What coordination measures of itself for a plan's computed indicators: meetings held, the
attendance rate and action items done on time. Counts of meetings and tasks, never of people:
no disclosure control is needed here (the referral sources have it)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination import indicators, selectors
from coordination.indicators import Source, Value, Window
from coordination.models import ActionItem, ActionStatus, Attendance, Meeting
from coordination.periods import Period


def _period_at(periods: list[Period], day: datetime.date) -> Period | None:
    return next((p for p in periods if p.start <= day < p.end), None)


def _held_sittings(window: Window) -> dict[object, list]:
    """The group's sittings in each period that took place (not cancelled, already begun)."""
    found: dict[object, list] = {p.start: [] for p in window.periods}
    if not window.periods:
        return found
    start = window.periods[0].bounds(window.time_zone)[0]
    end = window.periods[-1].bounds(window.time_zone)[1]
    now = timezone.now()
    for sitting in selectors.sittings_between(
        Meeting.objects.filter(group=window.group),
        start=start,
        end=min(end, now),
        include_cancelled=False,
    ):
        if sitting.starts_at > now:
            continue
        period = _period_at(window.periods, sitting.starts_at.astimezone(window.time_zone).date())
        if period is not None:
            found[period.start].append(sitting)
    return found


def meetings_held(window: Window) -> dict[object, Value]:
    return {start: len(sittings) for start, sittings in _held_sittings(window).items()}


def attendance_rate(window: Window) -> dict[object, Value]:
    """Of the organisations whose attendance was recorded at the period's sittings, the share
    that was present (per cent); None when none was recorded."""
    held = _held_sittings(window)
    rows = [s.row.pk for sittings in held.values() for s in sittings if s.row is not None]
    counts = {
        row["occurrence_id"]: row
        for row in Attendance.objects.filter(occurrence_id__in=rows)
        .values("occurrence_id")
        .annotate(recorded=Count("pk"), present=Count("pk", filter=Q(present=True)))
        .order_by()
    }
    values: dict[object, Value] = {}
    for start, sittings in held.items():
        recorded = present = 0
        for sitting in sittings:
            row = counts.get(sitting.row.pk) if sitting.row is not None else None
            if row:
                recorded += row["recorded"]
                present += row["present"]
        values[start] = round(100 * present / recorded, 1) if recorded else None
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
