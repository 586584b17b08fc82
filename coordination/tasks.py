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
    sent = 0
    for due in selectors.reminders_due(now=now)[:BATCH]:
        sent += services.meeting_reminder_send(
            meeting_id=due.meeting_id, original_start=due.original_start, kind=due.kind
        )
    # Then each meeting whose next sitting is unknown or has begun learns its next one: the
    # next runs read only the meetings with a sitting within a day.
    services.meeting_reminder_bounds_refresh(now=now)
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
