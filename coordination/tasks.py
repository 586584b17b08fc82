"""The periodic sweeps of coordination (thin: selectors find the work, services claim it).

A fixed handful of beat entries (``CELERY_BEAT_SCHEDULE``), never one ETA per reminder: each
sweep finds due work with one indexed query and claims each piece with a conditional update, so
that two workers running the same sweep send every reminder once.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from coordination import selectors, services

logger = logging.getLogger(__name__)
BATCH = 500


@shared_task(ignore_result=True)
def meeting_reminder_sweep_task() -> int:
    """Reminders 24 hours and 1 hour before each sitting, to the invited organisations."""
    now = timezone.now()
    # First each meeting whose next reminder is unknown (changed) or went by learns it: the
    # reads below are then one index range, with no recurrence rule expanded.
    services.meeting_reminder_bounds_refresh(now=now)
    sent = 0
    # Each send moves its meeting on to its next reminder, which may be due too (two sittings
    # close together): a few rounds, each bounded.
    for _round in range(len(selectors.REMINDER_WINDOWS) + 1):
        due = selectors.reminders_due(now=now)[:BATCH]
        if not due:
            break
        for reminder in due:
            sent += services.meeting_reminder_send(
                meeting_id=reminder.meeting_id,
                original_start=reminder.original_start,
                kind=reminder.kind,
                now=now,
            )
    if sent:
        logger.info("Meeting reminders sent: %s", sent)
    return sent


@shared_task(ignore_result=True)
def action_item_sweep_task() -> dict[str, int]:
    """Action items due tomorrow (to their owners) and overdue (owners and coordinators)."""
    today = timezone.localdate()
    done = {"due": 0, "overdue": 0}
    for step, items in (
        ("due", selectors.action_items_due_tomorrow(today=today)),
        ("overdue", selectors.action_items_overdue(today=today)),
    ):
        for item_id in items.values_list("pk", flat=True)[:BATCH]:
            done[step] += services.action_item_remind(
                action_item_id=item_id, step=step, today=today
            )
    if any(done.values()):
        logger.info("Action item notices: %s", done)
    return done


@shared_task(ignore_result=True)
def indicator_report_sweep_task() -> int:
    """Indicator reports due in a few days (to the lead organisation) and late (to it and the
    group's coordinators), each once."""
    sent = services.report_reminders_send(now=timezone.now(), most=BATCH)
    if sent:
        logger.info("Indicator report reminders sent: %s", sent)
    return sent
