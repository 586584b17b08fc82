"""What the periodic sweeps claim and send: meeting reminders, action-item notices."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from coordination import notifications, schedule, selectors
from coordination.models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    Meeting,
    MeetingReminder,
    MeetingStatus,
)

if TYPE_CHECKING:
    pass


@transaction.atomic
def meeting_reminder_send(
    *,
    meeting_id: int,
    original_start: datetime.datetime,
    kind: str,
    now: datetime.datetime | None = None,
) -> bool:
    """Send one reminder of one sitting if this worker claims it, then move the meeting on to
    its next reminder (claimed or not: a reminder another sweep sent is behind it too).

    The reminder row has a unique key (meeting, original start, kind); the conditional update
    that stamps ``sent_at`` is the claim, so two sweeps running at once send it once.
    """
    now = now or timezone.now()
    reminder, _created = MeetingReminder.objects.get_or_create(
        meeting_id=meeting_id, original_start=original_start, kind=kind
    )
    claimed = MeetingReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    sent = False
    meeting = selectors.reminder_meetings(now).select_related("group").filter(pk=meeting_id).first()
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return False
    if claimed == 1:
        sitting = schedule.sitting_at(meeting, original_start)
        if sitting is not None and sitting.status == MeetingStatus.SCHEDULED:
            notifications.meeting_reminder(meeting=meeting, sitting=sitting, kind=kind)
            sent = True
    kept = (meeting.reminder_start, meeting.reminder_kind) == (original_start, kind)
    after = (meeting.reminders_from, original_start, kind) if kept else None
    _keep_next_reminder(meeting, selectors.next_reminder(meeting, now=now, after=after))
    return sent


def _keep_next_reminder(meeting: Meeting, found: selectors.NextReminder) -> int:
    """Written only if the meeting did not change meanwhile (``updated_at``; a change forgets the
    next reminder, which the sweep then works out again)."""
    return Meeting.objects.filter(pk=meeting.pk, updated_at=meeting.updated_at).update(
        **found.fields()
    )


def meeting_reminder_bounds_refresh(*, now: datetime.datetime, limit: int = 2000) -> int:
    """Work out the next reminder of each meeting whose next reminder is unknown, went by unsent,
    or is to be looked for again (``limit`` of them: the rest at the next run)."""
    refreshed = 0
    for meeting in selectors.reminder_bounds_to_refresh(now=now)[:limit]:
        refreshed += _keep_next_reminder(meeting, selectors.next_reminder(meeting, now=now))
    return refreshed


@transaction.atomic
def action_item_remind(*, action_item_id: int, step: str, today: datetime.date) -> bool:
    """Claim and send the 'due tomorrow' (``due``) or 'overdue' notice of an item, once."""
    items = ActionItem.objects.filter(pk=action_item_id, status__in=OPEN_ACTION_STATUSES)
    if step == "due":
        claimed = items.filter(
            due_on=today + datetime.timedelta(days=1), due_reminded_at__isnull=True
        ).update(due_reminded_at=timezone.now())
    else:
        claimed = items.filter(due_on__lt=today, overdue_reminded_at__isnull=True).update(
            overdue_reminded_at=timezone.now()
        )
    if claimed != 1:
        return False
    item = ActionItem.objects.select_related("group", "owner_organisation", "owner_user").get(
        pk=action_item_id
    )
    if step == "due":
        notifications.action_due(item=item)
    else:
        notifications.action_overdue(item=item)
    return True
