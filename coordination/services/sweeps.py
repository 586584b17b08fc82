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
def meeting_reminder_send(*, meeting_id: int, original_start: datetime.datetime, kind: str) -> bool:
    """Send one reminder of one sitting if this worker claims it.

    The reminder row has a unique key (meeting, original start, kind); the conditional update
    that stamps ``sent_at`` is the claim, so two sweeps running at once send it once.
    """
    reminder, _created = MeetingReminder.objects.get_or_create(
        meeting_id=meeting_id, original_start=original_start, kind=kind
    )
    claimed = MeetingReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if claimed != 1:
        return False
    meeting = Meeting.objects.select_related("group").get(pk=meeting_id)
    sitting = schedule.sitting_at(meeting, original_start)
    if sitting is None or sitting.status != MeetingStatus.SCHEDULED:
        return False
    notifications.meeting_reminder(meeting=meeting, sitting=sitting, kind=kind)
    return True


def meeting_reminder_bounds_refresh(*, now: datetime.datetime, limit: int = 2000) -> int:
    """Store each meeting's next sitting as the bound below which the reminder sweep need not
    look at it, for meetings whose bound is unknown or past. Written only if the meeting did
    not change meanwhile (``updated_at``; a change empties the bound again)."""
    refreshed = 0
    for meeting in selectors.reminder_bounds_to_refresh(now=now)[:limit]:
        bound = selectors.reminder_bound(meeting, now=now)
        refreshed += Meeting.objects.filter(pk=meeting.pk, updated_at=meeting.updated_at).update(
            reminders_from=bound
        )
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
