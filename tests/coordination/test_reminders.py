"""The periodic sweeps with a frozen clock: meeting reminders 24 hours and 1 hour before each
sitting, action items due tomorrow and overdue. Each notice goes out once, however many sweeps
run, and a sweep finds its work with a fixed number of queries."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from coordination import selectors, services, tasks
from coordination.models import REMINDERS_UNKNOWN, MeetingReminder
from notifications.models import Notification
from tests.coordination.conftest import NOW

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
MARCH_3 = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # the first sitting, 10:00 in Tunis
EVERYONE = {"coordinator", "member.worker", "member.supervisor", "muni.worker"}


def reminded(kind: str | None = None) -> dict[str, set[str]]:
    """Who got which reminder (by the last part of the notification key)."""
    found: dict[str, set[str]] = {}
    for key, username in Notification.objects.filter(kind="coordination.reminder").values_list(
        "key", "recipient__username"
    ):
        found.setdefault(key.rsplit(":", 1)[1], set()).add(username)
    return found if kind is None else {kind: found.get(kind, set())}


def scheduled_last_week(world, at, **options):
    with at(NOW - datetime.timedelta(days=5)):
        return world.meeting(**options)


def sweep(at, moment: datetime.datetime) -> int:
    with at(moment):
        return tasks.meeting_reminder_sweep_task.delay().get()


def test_the_day_before_and_the_hour_before(world, at):
    scheduled_last_week(world, at)

    assert sweep(at, MARCH_3 - 25 * HOUR) == 0
    assert sweep(at, MARCH_3 - 24 * HOUR) == 1
    assert reminded() == {"24h": EVERYONE}
    assert sweep(at, MARCH_3 - 24 * HOUR) == 0  # the same sweep again sends nothing
    assert sweep(at, MARCH_3 - 2 * HOUR) == 0
    assert sweep(at, MARCH_3 - HOUR) == 1
    assert sweep(at, MARCH_3 - HOUR / 2) == 0
    assert sweep(at, MARCH_3 + HOUR) == 0
    assert reminded() == {"24h": EVERYONE, "1h": EVERYONE}
    assert set(MeetingReminder.objects.values_list("kind", flat=True)) == {"24h", "1h"}
    subjects = set(Notification.objects.values_list("subject", flat=True))
    assert {"Tomorrow: Monthly coordination", "In one hour: Monthly coordination"} <= subjects


def test_a_late_sweep_sends_no_stale_reminder(world, at):
    scheduled_last_week(world, at)

    # The worker was down all day: at 11 hours before, "tomorrow" is no longer true.
    assert sweep(at, MARCH_3 - 11 * HOUR) == 0
    assert sweep(at, MARCH_3 - HOUR + datetime.timedelta(minutes=10)) == 1
    assert reminded() == {"1h": EVERYONE}


def test_every_sitting_of_the_series_is_reminded(world, at):
    scheduled_last_week(world, at)
    april_7 = datetime.datetime(2026, 4, 7, 9, 0, tzinfo=UTC)

    assert sweep(at, MARCH_3 - HOUR) == 1
    assert sweep(at, april_7 - 24 * HOUR) == 1
    assert sweep(at, april_7 - HOUR) == 1
    assert MeetingReminder.objects.filter(original_start=april_7).count() == 2


def test_a_cancelled_sitting_is_not_reminded_and_a_moved_one_at_its_new_time(world, at):
    meeting = scheduled_last_week(world, at)
    april_7 = datetime.datetime(2026, 4, 7, 9, 0, tzinfo=UTC)
    may_5 = datetime.datetime(2026, 5, 5, 9, 0, tzinfo=UTC)
    services.sitting_cancel(meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator)
    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=may_5,
        actor=world.coordinator,
        start=datetime.datetime(2026, 4, 14, 10, 0),  # noqa: DTZ001 - wall time
    )
    moved = datetime.datetime(2026, 4, 14, 9, 0, tzinfo=UTC)

    assert sweep(at, MARCH_3 - HOUR) == 0
    assert sweep(at, april_7 - HOUR) == 1
    assert sweep(at, moved - HOUR) == 1  # in time order: the sweeps keep each meeting's next
    assert sweep(at, may_5 - HOUR) == 0
    assert MeetingReminder.objects.filter(original_start=may_5, kind="1h").exists()


def test_a_cancelled_series_is_not_reminded(world, at):
    meeting = scheduled_last_week(world, at)
    services.meeting_cancel(meeting_id=meeting.pk, actor=world.coordinator)

    assert sweep(at, MARCH_3 - HOUR) == 0
    assert reminded() == {}


def test_a_meeting_scheduled_the_same_day_gets_the_hour_reminder_only(world, at):
    with at(MARCH_3 - 5 * HOUR):
        world.meeting(rrule="")

    assert sweep(at, MARCH_3 - 4 * HOUR) == 0
    assert sweep(at, MARCH_3 - HOUR) == 1
    assert reminded() == {"1h": EVERYONE}


def test_only_the_invited_organisations_and_the_coordinators_are_reminded(world, at):
    scheduled_last_week(world, at, invited_organisations=[world.municipality])

    sweep(at, MARCH_3 - HOUR)

    assert reminded() == {"1h": {"coordinator", "muni.worker"}}


def test_two_workers_claiming_the_same_reminder_send_it_once(world, at):
    scheduled_last_week(world, at)
    moment = MARCH_3 - HOUR

    with at(moment):
        # Both sweeps read the due work before either sends.
        first = selectors.reminders_due(now=moment)
        second = selectors.reminders_due(now=moment)
        sent = [
            services.meeting_reminder_send(
                meeting_id=due.meeting_id, original_start=due.original_start, kind=due.kind
            )
            for due in first + second
        ]

    assert sent == [True, False]
    assert MeetingReminder.objects.count() == 1
    assert reminded() == {"1h": EVERYONE}


def test_the_reminder_sweep_reads_with_a_fixed_number_of_queries(world, at):
    """Once each meeting knows its next reminder, the due ones are one query however many
    meetings there are; a meeting changed since (its next reminder unknown) costs a fixed three
    more, whatever their number."""
    moment = MARCH_3 - HOUR

    def queries(*, known: bool) -> int:
        with at(moment):
            if known:
                services.meeting_reminder_bounds_refresh(now=moment)
            with CaptureQueriesContext(connection) as captured:
                due = selectors.reminders_due(now=moment)
        assert due
        return len(captured)

    scheduled_last_week(world, at)
    few = queries(known=False), queries(known=True)
    for index in range(12):
        scheduled_last_week(world, at, title=f"Meeting {index}", rrule="")
    many = queries(known=False), queries(known=True)

    assert few == many == (4, 1)


# Action items -----------------------------------------------------------------------------------


def action(world, meeting, *, due_on: datetime.date, **options):
    return services.action_item_create(
        actor=world.coordinator,
        meeting_id=meeting.pk,
        original_start=MARCH_3,
        title=options.pop("title", "List shelter places"),
        owner_organisation=options.pop("owner_organisation", world.cso),
        due_on=due_on,
        **options,
    )


def action_sweep(at, moment: datetime.datetime) -> dict[str, int]:
    with at(moment):
        return tasks.action_item_sweep_task.delay().get()


def notices() -> list[tuple[str, str]]:
    sent = Notification.objects.filter(kind="coordination.action").filter(
        Q(key__contains=":due:") | Q(key__contains=":overdue:")
    )
    return sorted(
        (key.split(":")[3], username)
        for key, username in sent.values_list("key", "recipient__username")
    )


def test_items_due_tomorrow_and_overdue_are_told_once(world, at):
    meeting = scheduled_last_week(world, at)
    soon = action(world, meeting, due_on=datetime.date(2026, 3, 10))
    action(world, meeting, due_on=datetime.date(2026, 3, 20), title="Later")
    done = action(world, meeting, due_on=datetime.date(2026, 3, 10), title="Done")
    services.action_item_update(action_item_id=done.pk, actor=world.member_worker, status="done")
    tuesday_9 = datetime.datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # Monday 9 March, 08:00 Tunis

    assert action_sweep(at, tuesday_9) == {"due": 1, "overdue": 0}
    assert action_sweep(at, tuesday_9) == {"due": 0, "overdue": 0}
    assert action_sweep(at, tuesday_9 + 2 * 24 * HOUR) == {"due": 0, "overdue": 1}
    assert action_sweep(at, tuesday_9 + 3 * 24 * HOUR) == {"due": 0, "overdue": 0}
    # Owners are told both; the coordinators hear of the overdue one too.
    assert notices() == [
        ("due", "member.supervisor"),
        ("overdue", "coordinator"),
        ("overdue", "member.supervisor"),
    ]
    soon.refresh_from_db()
    assert soon.due_reminded_at is not None
    assert soon.overdue_reminded_at is not None


def test_a_new_due_date_is_told_again(world, at):
    meeting = scheduled_last_week(world, at)
    item = action(world, meeting, due_on=datetime.date(2026, 3, 10))
    monday = datetime.datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    action_sweep(at, monday)

    services.action_item_update(
        action_item_id=item.pk, actor=world.coordinator, due_on=datetime.date(2026, 3, 17)
    )

    assert action_sweep(at, monday + 7 * 24 * HOUR) == {"due": 1, "overdue": 0}


def test_the_action_item_sweeps_claim_each_notice_once(world, at):
    meeting = scheduled_last_week(world, at)
    item = action(world, meeting, due_on=datetime.date(2026, 3, 10))
    today = datetime.date(2026, 3, 9)

    with at(datetime.datetime(2026, 3, 9, 7, 0, tzinfo=UTC)):
        sent = [
            services.action_item_remind(action_item_id=item.pk, step="due", today=today)
            for _ in range(2)
        ]

    assert sent == [True, False]


def test_the_sweeps_are_a_fixed_handful_of_beat_entries():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {
        "coordination.tasks.meeting_reminder_sweep_task",
        "coordination.tasks.action_item_sweep_task",
    } <= tasks_scheduled


def test_each_meeting_keeps_its_next_reminder_and_a_change_forgets_it(world, at):
    """Each meeting keeps its next reminder and when it is due; the sweep reads only the due
    ones (issue 13: every running series was read and expanded, 939 ms at 100,000 meetings; then
    every meeting with a sitting within a day, 16 ms) and any change to a sitting forgets it."""
    meeting = scheduled_last_week(world, at)
    april_7 = datetime.datetime(2026, 4, 7, 9, 0, tzinfo=UTC)

    def kept() -> tuple:
        meeting.refresh_from_db()
        return (
            meeting.reminder_start,
            meeting.reminder_kind,
            meeting.reminders_from,
            meeting.reminders_until,
        )

    assert sweep(at, MARCH_3 - 5 * 24 * HOUR) == 0
    assert kept() == (MARCH_3, "24h", MARCH_3 - 24 * HOUR, MARCH_3 - 12 * HOUR)
    with at(MARCH_3 - 5 * 24 * HOUR), CaptureQueriesContext(connection) as read:
        assert selectors.reminders_due(now=MARCH_3 - 25 * HOUR) == []
    assert len(read) == 1  # nothing due: no meeting read whole, no rule expanded

    assert sweep(at, MARCH_3 - 24 * HOUR) == 1
    assert kept() == (MARCH_3, "1h", MARCH_3 - HOUR, MARCH_3)
    assert sweep(at, MARCH_3 - HOUR) == 1
    assert kept() == (april_7, "24h", april_7 - 24 * HOUR, april_7 - 12 * HOUR)
    assert sweep(at, MARCH_3 + HOUR) == 0

    # Moved earlier, into the next day: the change forgets the next reminder, the sweep finds it.
    with at(MARCH_3 + 2 * HOUR):
        services.sitting_move(
            meeting_id=meeting.pk,
            original_start=april_7,
            actor=world.coordinator,
            start=datetime.datetime(2026, 3, 10, 10, 0),  # noqa: DTZ001 - wall time
        )
    assert kept() == (None, "", REMINDERS_UNKNOWN, None)
    moved = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert sweep(at, moved - 24 * HOUR) == 1
    assert sweep(at, moved - HOUR) == 1
    assert MeetingReminder.objects.filter(original_start=april_7).count() == 2


def test_a_meeting_with_no_sitting_ahead_is_looked_at_again_later(world, at):
    meeting = scheduled_last_week(world, at, rrule="")  # one sitting, 3 March

    assert sweep(at, MARCH_3 - HOUR) == 1
    meeting.refresh_from_db()
    assert meeting.reminder_start is None
    assert meeting.reminders_from == MARCH_3 - HOUR + selectors.REMINDER_LOOKAHEAD - 24 * HOUR


def test_two_reminders_due_at_once_both_go_out_in_one_sweep(world, at):
    """A sitting moved to the evening of another: the hour-before reminder of the first and the
    day-before one of the second are due together; the sweep sends one, moves the meeting on,
    sends the other."""
    meeting = scheduled_last_week(world, at)
    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=datetime.datetime(2026, 4, 7, 9, 0, tzinfo=UTC),
        actor=world.coordinator,
        start=datetime.datetime(2026, 3, 3, 22, 0),  # noqa: DTZ001 - wall time
    )

    assert sweep(at, MARCH_3 - 30 * HOUR) == 0
    assert sweep(at, MARCH_3 - HOUR) == 2
    assert sweep(at, MARCH_3 - HOUR) == 0
    assert set(MeetingReminder.objects.values_list("original_start", "kind")) == {
        (MARCH_3, "1h"),
        (datetime.datetime(2026, 4, 7, 9, 0, tzinfo=UTC), "24h"),
    }


def test_a_reminder_another_sweep_sent_moves_the_meeting_on(world, at):
    """A sweep that loses the claim still moves the meeting past that reminder: it is never
    offered again, and the next reminder is not held behind it."""
    meeting = scheduled_last_week(world, at)
    moment = MARCH_3 - HOUR
    with at(moment):
        services.meeting_reminder_bounds_refresh(now=moment)
        (due,) = selectors.reminders_due(now=moment)
        MeetingReminder.objects.create(
            meeting=meeting, original_start=MARCH_3, kind="1h", sent_at=moment
        )
        assert not services.meeting_reminder_send(
            meeting_id=due.meeting_id, original_start=due.original_start, kind=due.kind, now=moment
        )
        assert selectors.reminders_due(now=moment) == []
    meeting.refresh_from_db()
    assert meeting.reminder_start == datetime.datetime(2026, 4, 7, 9, 0, tzinfo=UTC)


def test_a_next_reminder_worked_out_while_the_meeting_changed_is_not_written(world, at):
    meeting = scheduled_last_week(world, at)
    stale = selectors.reminder_bounds_to_refresh(now=NOW).get(pk=meeting.pk)
    services.sitting_cancel(meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator)
    found = selectors.next_reminder(stale, now=NOW)
    assert found.original_start == MARCH_3  # worked out from the meeting before the change

    written = (
        type(meeting)
        .objects.filter(pk=meeting.pk, updated_at=stale.updated_at)
        .update(**found.fields())
    )

    assert written == 0  # the sweep's conditional write loses to the change
    meeting.refresh_from_db()
    assert meeting.reminders_from == REMINDERS_UNKNOWN
    assert sweep(at, MARCH_3 - HOUR) == 0  # the cancelled sitting


def test_a_meeting_not_worked_out_yet_is_expanded_only_if_it_may_sit_within_the_day(world, at):
    """Before the sweep has worked a changed meeting out, the reminders read it whole only when
    its first sitting is within the day and its series has not ended."""
    scheduled_last_week(world, at)
    days_before = MARCH_3 - 4 * 24 * HOUR  # its first sitting is days away

    with at(days_before), CaptureQueriesContext(connection) as read:
        assert selectors.reminders_due(now=days_before) == []
    assert len(read) == 1

    with at(MARCH_3 - HOUR), CaptureQueriesContext(connection) as read:
        assert len(selectors.reminders_due(now=MARCH_3 - HOUR)) == 1
    assert len(read) == 4
