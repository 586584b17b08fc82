"""Sittings of a series and their exceptions: cancel or move one without breaking the series,
reinstate it, change the series, and the bounds the sweeps and calendars rely on."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from coordination import schedule, selectors, services
from coordination.exceptions import AlreadyDone, Conflict, InvalidRecurrence, NotASitting
from coordination.models import AgendaItem, Meeting, MeetingStatus, Occurrence
from tests.coordination.conftest import NOW

UTC = datetime.UTC
TUNIS = zoneinfo.ZoneInfo("Africa/Tunis")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MARCH_3 = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)  # 10:00 in Tunis
APRIL_7 = datetime.datetime(2026, 4, 7, 9, 0, tzinfo=UTC)
MAY_5 = datetime.datetime(2026, 5, 5, 9, 0, tzinfo=UTC)


def starts(meeting: Meeting, *, days: int = 100, start=NOW) -> list[datetime.datetime]:
    sittings = schedule.sittings(
        Meeting.objects.get(pk=meeting.pk), start=start, end=start + datetime.timedelta(days=days)
    )
    return [s.starts_at.astimezone(UTC) for s in sittings]


def test_a_series_is_stored_once_and_expanded_on_reading(world):
    meeting = world.meeting()

    assert meeting.is_series
    assert meeting.time_zone == "Africa/Tunis"
    assert meeting.first_start == MARCH_3
    assert meeting.last_end is None  # never ends
    assert not Occurrence.objects.exists()
    assert starts(meeting)[:3] == [MARCH_3, APRIL_7, MAY_5]


def test_cancelling_one_sitting_leaves_the_rest_of_the_series(world):
    meeting = world.meeting()

    sitting = services.sitting_cancel(
        meeting_id=meeting.pk, original_start=APRIL_7, actor=world.coordinator, note="Holiday"
    )

    assert sitting.is_cancelled
    row = Occurrence.objects.get()
    assert (row.original_start, row.status, row.note) == (APRIL_7, "cancelled", "Holiday")
    sittings = schedule.sittings(meeting, start=NOW, end=NOW + datetime.timedelta(days=100))
    assert [(s.original_start, s.status) for s in sittings[:3]] == [
        (MARCH_3, "scheduled"),
        (APRIL_7, "cancelled"),
        (MAY_5, "scheduled"),
    ]
    active = schedule.sittings(
        meeting, start=NOW, end=NOW + datetime.timedelta(days=100), include_cancelled=False
    )
    assert APRIL_7 not in [s.original_start for s in active]
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    with pytest.raises(AlreadyDone):
        services.sitting_cancel(
            meeting_id=meeting.pk, original_start=APRIL_7, actor=world.coordinator
        )


def test_a_cancelled_sitting_can_be_reinstated(world):
    meeting = world.meeting()
    services.sitting_cancel(meeting_id=meeting.pk, original_start=APRIL_7, actor=world.coordinator)

    sitting = services.sitting_reinstate(
        meeting_id=meeting.pk, original_start=APRIL_7, actor=world.coordinator
    )

    assert sitting.status == "scheduled"
    with pytest.raises(Conflict):
        services.sitting_reinstate(
            meeting_id=meeting.pk, original_start=APRIL_7, actor=world.coordinator
        )


def test_moving_one_sitting_keys_the_exception_by_its_original_start(world):
    meeting = world.meeting()
    moved_to = datetime.datetime(2026, 4, 9, 14, 30)  # noqa: DTZ001 - wall time in Tunis

    sitting = services.sitting_move(
        meeting_id=meeting.pk,
        original_start=APRIL_7,
        actor=world.coordinator,
        start=moved_to,
        duration_minutes=90,
        place="Port authority",
    )

    assert sitting.is_moved
    assert sitting.original_start == APRIL_7
    assert sitting.starts_at == moved_to.replace(tzinfo=TUNIS)
    assert sitting.ends_at - sitting.starts_at == datetime.timedelta(minutes=90)
    assert sitting.place == "Port authority"
    assert starts(meeting)[:3] == [
        MARCH_3,
        datetime.datetime(2026, 4, 9, 13, 30, tzinfo=UTC),
        MAY_5,
    ]
    # The page of the sitting is still found by its original start.
    again = services.sitting_get(meeting, APRIL_7)
    assert again.row.pk == sitting.row.pk
    # Moving it back to its time clears the exception's times.
    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=APRIL_7,
        actor=world.coordinator,
        start=datetime.datetime(2026, 4, 7, 10, 0),  # noqa: DTZ001
        duration_minutes=120,
        place="City hall",
    )
    row = Occurrence.objects.get()
    assert (row.moved_start, row.moved_end, row.place) == (None, None, "")


def test_a_sitting_moved_into_a_window_from_outside_it_shows_there(world):
    meeting = world.meeting()
    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=MAY_5,
        actor=world.coordinator,
        start=datetime.datetime(2026, 4, 21, 10, 0),  # noqa: DTZ001
    )
    april = (
        datetime.datetime(2026, 4, 15, tzinfo=UTC),
        datetime.datetime(2026, 4, 30, tzinfo=UTC),
    )
    may = (datetime.datetime(2026, 5, 1, tzinfo=UTC), datetime.datetime(2026, 5, 31, tzinfo=UTC))

    in_april = selectors.sittings_between(
        Meeting.objects.filter(pk=meeting.pk), start=april[0], end=april[1]
    )
    in_may = selectors.sittings_between(
        Meeting.objects.filter(pk=meeting.pk), start=may[0], end=may[1]
    )

    assert [(s.original_start, s.starts_at.date()) for s in in_april] == [
        (MAY_5, datetime.date(2026, 4, 21))
    ]
    assert in_may == []


def test_only_times_the_rule_gives_are_sittings(world):
    meeting = world.meeting()

    with pytest.raises(NotASitting):
        services.sitting_cancel(
            meeting_id=meeting.pk,
            original_start=APRIL_7 + datetime.timedelta(days=1),
            actor=world.coordinator,
        )
    assert schedule.sitting_at(meeting, APRIL_7 + datetime.timedelta(hours=1)) is None


def test_a_paris_series_keeps_ten_oclock_when_summer_time_begins(world):
    meeting = world.meeting(
        start=datetime.datetime(2026, 3, 23, 10, 0),  # noqa: DTZ001
        time_zone="Europe/Paris",
        rrule="FREQ=WEEKLY;BYDAY=MO",
    )

    sittings = schedule.sittings(
        meeting,
        start=datetime.datetime(2026, 3, 20, tzinfo=UTC),
        end=datetime.datetime(2026, 4, 1, tzinfo=UTC),
    )

    assert [s.starts_at.astimezone(UTC).hour for s in sittings] == [9, 8]
    assert [s.starts_at.astimezone(PARIS).hour for s in sittings] == [10, 10]


def test_a_series_that_ends_knows_its_last_sitting(world):
    meeting = world.meeting(rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=3")

    assert meeting.last_end == MAY_5 + datetime.timedelta(hours=2)
    # Moving the last sitting later moves the bound too.
    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=MAY_5,
        actor=world.coordinator,
        start=datetime.datetime(2026, 5, 12, 10, 0),  # noqa: DTZ001
    )
    meeting.refresh_from_db()
    assert meeting.last_end == datetime.datetime(2026, 5, 12, 11, 0, tzinfo=UTC)


def test_cancelling_the_whole_series(world):
    meeting = world.meeting()

    services.meeting_cancel(meeting_id=meeting.pk, actor=world.coordinator)

    meeting.refresh_from_db()
    assert {
        s.status
        for s in schedule.sittings(meeting, start=NOW, end=NOW + datetime.timedelta(days=60))
    } == {"cancelled"}
    with pytest.raises(AlreadyDone):
        services.meeting_cancel(meeting_id=meeting.pk, actor=world.coordinator)
    with pytest.raises(Conflict):
        services.meeting_update(meeting_id=meeting.pk, actor=world.coordinator, title="Again")


def test_changing_the_series_drops_bare_exceptions_and_keeps_sittings_with_records(world, at):
    meeting = world.meeting()
    # March (past by then) was held; April was moved; May has a proposed agenda item.
    with at(MARCH_3 + datetime.timedelta(hours=1)):
        services.attendance_record(
            meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator, present=[]
        )
    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=APRIL_7,
        actor=world.coordinator,
        start=datetime.datetime(2026, 4, 8, 10, 0),  # noqa: DTZ001
    )
    services.agenda_propose(
        meeting_id=meeting.pk, original_start=MAY_5, actor=world.member_worker, title="Shelter"
    )

    with at(datetime.datetime(2026, 3, 10, tzinfo=UTC)):
        # From now on: the first Wednesday.
        services.meeting_update(
            meeting_id=meeting.pk,
            actor=world.coordinator,
            start=datetime.datetime(2026, 3, 4, 10, 0),  # noqa: DTZ001
            rrule="FREQ=MONTHLY;BYDAY=1WE",
        )

    meeting.refresh_from_db()
    assert meeting.rrule == "FREQ=MONTHLY;BYDAY=1WE"
    kept = set(Occurrence.objects.values_list("original_start", flat=True))
    assert kept == {MARCH_3, MAY_5}  # history and the item stay; the bare move went
    sittings = schedule.sittings(
        meeting,
        start=datetime.datetime(2026, 3, 1, tzinfo=UTC),
        end=datetime.datetime(2026, 5, 31, tzinfo=UTC),
    )
    assert [(s.original_start, s.in_rule) for s in sittings] == [
        (MARCH_3, False),  # held on the old schedule
        (datetime.datetime(2026, 3, 4, 9, tzinfo=UTC), True),
        (datetime.datetime(2026, 4, 1, 9, tzinfo=UTC), True),
        (MAY_5, False),  # holds an agenda item: the coordinator can cancel or move it
        (datetime.datetime(2026, 5, 6, 9, tzinfo=UTC), True),
    ]
    assert AgendaItem.objects.count() == 1


def test_a_rule_the_first_meeting_does_not_fit_is_refused_on_the_field(world):
    with pytest.raises(InvalidRecurrence) as refused:
        world.meeting(rrule="FREQ=WEEKLY;BYDAY=WE")

    assert refused.value.field == "rrule"
    assert not Meeting.objects.exists()


def test_moving_a_single_meeting_moves_the_meeting(world):
    meeting = world.meeting(rrule="")
    services.agenda_propose(
        meeting_id=meeting.pk, original_start=MARCH_3, actor=world.member_worker, title="Food"
    )

    sitting = services.sitting_move(
        meeting_id=meeting.pk,
        original_start=MARCH_3,
        actor=world.coordinator,
        start=datetime.datetime(2026, 3, 5, 15, 0),  # noqa: DTZ001
    )

    meeting.refresh_from_db()
    assert meeting.start_date == datetime.date(2026, 3, 5)
    assert sitting.original_start == datetime.datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
    # Its agenda followed it.
    assert sitting.row.agenda_items.get().title == "Food"


def test_the_page_of_a_series_opens_on_the_next_sitting(world, at):
    meeting = world.meeting()

    with at(APRIL_7 + datetime.timedelta(hours=3)):
        sitting = schedule.default_sitting(meeting, now=APRIL_7 + datetime.timedelta(hours=3))

    assert sitting.original_start == MAY_5
    assert meeting.status == MeetingStatus.SCHEDULED
