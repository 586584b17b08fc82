"""RFC 5545 rules: validation into one canonical form, and expansion in local wall time,
including across daylight-saving changes (Tunisia has none today: the DST cases use Paris)."""

from __future__ import annotations

import datetime
import time
import zoneinfo

import pytest

from coordination import recurrence

UTC = datetime.UTC
TUNIS = zoneinfo.ZoneInfo("Africa/Tunis")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
HOUR = datetime.timedelta(hours=1)


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0, *, tz=TUNIS):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def expand(rule: str, dtstart: datetime.datetime, start, end, hours: int = 2):
    return recurrence.starts_between(
        rule=rule,
        dtstart=dtstart,
        duration=datetime.timedelta(hours=hours),
        start=start,
        end=end,
    )


# Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("FREQ=MONTHLY;BYDAY=1TU", "FREQ=MONTHLY;BYDAY=1TU"),
        ("rrule:freq=monthly;byday=1tu", "FREQ=MONTHLY;BYDAY=1TU"),
        ("BYDAY=1TU;FREQ=MONTHLY;INTERVAL=1;", "FREQ=MONTHLY;BYDAY=1TU"),
        ("FREQ=WEEKLY;BYDAY=TU;INTERVAL=2;COUNT=6", "FREQ=WEEKLY;INTERVAL=2;COUNT=6;BYDAY=TU"),
        # A date is the end of that day in the meeting's zone, stored in UTC as RFC 5545 asks.
        ("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231", "FREQ=MONTHLY;UNTIL=20261231T225959Z;BYDAY=1TU"),
        (
            "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231T120000",
            "FREQ=MONTHLY;UNTIL=20261231T110000Z;BYDAY=1TU",
        ),
        (
            "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231T120000Z",
            "FREQ=MONTHLY;UNTIL=20261231T120000Z;BYDAY=1TU",
        ),
        ("", ""),
    ],
)
def test_it_stores_rules_in_one_canonical_form(typed, stored):
    assert recurrence.normalise(typed, dtstart=local(2026, 3, 3)) == stored


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", "FREQ must be"),
        ("FREQ=MONTHLY;BYHOUR=10", "do not support BYHOUR"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", "appears twice"),
        ("FREQ", "NAME=VALUE"),
        ("FREQ=MONTHLY;BYDAY=1TU\nFREQ=DAILY", "one line"),
        ("FREQ=MONTHLY;INTERVAL=0", "INTERVAL must be"),
        ("FREQ=MONTHLY;COUNT=5000", "COUNT must be"),
        ("FREQ=MONTHLY;BYDAY=1TU;COUNT=3;UNTIL=20261231", "not both"),
        ("FREQ=MONTHLY;BYDAY=FIRST", "BYDAY lists"),
        ("FREQ=MONTHLY;BYMONTHDAY=x", "whole numbers"),
        ("FREQ=MONTHLY;BYDAY=1TU;UNTIL=31-12-2026", "UNTIL is a date"),
        ("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20260101", "ends before the first meeting"),
        ("FREQ=WEEKLY;BYDAY=WE", "must fall on the rule"),
        ("FREQ=MONTHLY;BYDAY=9TU", "not a valid"),
    ],
)
def test_it_refuses_rules_meetings_cannot_use(rule, message):
    with pytest.raises(recurrence.RecurrenceError, match=message):
        recurrence.normalise(rule, dtstart=local(2026, 3, 3))


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31"],
)
def test_a_rule_that_never_produces_a_meeting_is_refused_quickly(rule):
    # Without the probe dateutil would search day by day until the year 9999 (seconds).
    started = time.perf_counter()  # not frozen by the test clock

    with pytest.raises(recurrence.RecurrenceError):
        recurrence.normalise(rule, dtstart=local(2026, 3, 3))

    assert time.perf_counter() - started < 2


# Presets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "preset", "rule"),
    [
        (datetime.date(2026, 3, 3), "weekly", "FREQ=WEEKLY;BYDAY=TU"),
        (datetime.date(2026, 3, 3), "biweekly", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        (datetime.date(2026, 3, 3), "monthly", "FREQ=MONTHLY;BYDAY=1TU"),
        (datetime.date(2026, 3, 19), "monthly", "FREQ=MONTHLY;BYDAY=3TH"),
        # A fifth weekday exists only some months: the preset says "the last".
        (datetime.date(2026, 3, 31), "monthly", "FREQ=MONTHLY;BYDAY=-1TU"),
        (datetime.date(2026, 3, 3), "none", ""),
    ],
)
def test_presets_are_anchored_on_the_first_meeting(day, preset, rule):
    assert recurrence.preset_rule(preset, day) == rule
    assert recurrence.preset_of(rule, day) == preset
    if rule:
        dtstart = datetime.datetime.combine(day, datetime.time(10), tzinfo=TUNIS)
        assert recurrence.normalise(rule, dtstart=dtstart) == rule


def test_a_preset_with_an_end_is_still_that_preset():
    day = datetime.date(2026, 3, 3)

    assert recurrence.preset_of("FREQ=MONTHLY;COUNT=4;BYDAY=1TU", day) == "monthly"
    assert recurrence.preset_of("FREQ=MONTHLY;BYDAY=-1FR", day) == "custom"


@pytest.mark.parametrize(
    ("rule", "sentence"),
    [
        ("", "Does not repeat"),
        ("FREQ=MONTHLY;BYDAY=1TU", "Monthly on the first Tuesday"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "Monthly on the last Friday"),
        ("FREQ=WEEKLY;BYDAY=MO", "Every week on Monday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "Every 2 weeks on Tuesday"),
        ("FREQ=MONTHLY;COUNT=4;BYDAY=1TU", "Monthly on the first Tuesday, 4 times"),
        ("FREQ=MONTHLY;UNTIL=20261231T225959Z;BYDAY=1TU", "Monthly on the first Tuesday, until"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "Custom rule: FREQ=MONTHLY;BYMONTHDAY=15"),
    ],
)
def test_rules_are_described_in_words(rule, sentence):
    assert recurrence.describe(rule, tz=TUNIS).startswith(sentence)


# Expansion --------------------------------------------------------------------------------------


def test_the_first_tuesday_of_each_month_at_ten_in_tunis():
    starts = expand(
        "FREQ=MONTHLY;BYDAY=1TU", local(2026, 1, 6), utc(2026, 1, 1, 0), utc(2026, 7, 1, 0)
    )

    assert [s.date() for s in starts] == [
        datetime.date(2026, 1, 6),
        datetime.date(2026, 2, 3),
        datetime.date(2026, 3, 3),
        datetime.date(2026, 4, 7),
        datetime.date(2026, 5, 5),
        datetime.date(2026, 6, 2),
    ]
    # Tunisia keeps UTC+1 all year: always 09:00 UTC.
    assert {s.astimezone(UTC).time() for s in starts} == {datetime.time(9, 0)}
    assert {s.astimezone(TUNIS).time() for s in starts} == {datetime.time(10, 0)}


def test_a_paris_series_stays_at_ten_local_across_both_daylight_saving_changes():
    # Summer time began on Sunday 29 March 2026 and ended on Sunday 25 October 2026.
    starts = expand(
        "FREQ=WEEKLY;BYDAY=MO",
        local(2026, 3, 16, tz=PARIS),
        utc(2026, 3, 16, 0),
        utc(2026, 4, 7, 0),
    )
    autumn = expand(
        "FREQ=WEEKLY;BYDAY=MO",
        local(2026, 3, 16, tz=PARIS),
        utc(2026, 10, 19, 0),
        utc(2026, 10, 27, 0),
    )

    assert [s.astimezone(UTC) for s in starts] == [
        utc(2026, 3, 16, 9),  # CET, UTC+1
        utc(2026, 3, 23, 9),
        utc(2026, 3, 30, 8),  # CEST, UTC+2: the same 10:00 on the wall
        utc(2026, 4, 6, 8),
    ]
    assert [s.astimezone(UTC) for s in autumn] == [utc(2026, 10, 19, 8), utc(2026, 10, 26, 9)]
    assert {s.astimezone(PARIS).time() for s in starts + autumn} == {datetime.time(10, 0)}


def test_a_time_inside_the_spring_gap_takes_the_offset_before_the_gap():
    # 02:30 does not exist in Paris on 29 March 2026; RFC 5545 reads it with the offset before
    # the gap (UTC+1), which is 03:30 summer time.
    starts = expand(
        "FREQ=WEEKLY;BYDAY=SU",
        local(2026, 3, 22, 2, 30, tz=PARIS),
        utc(2026, 3, 20, 0),
        utc(2026, 4, 6, 0),
        hours=1,
    )

    assert [s.astimezone(UTC) for s in starts] == [
        utc(2026, 3, 22, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 4, 5, 0, 30),
    ]


def test_a_sitting_that_began_before_the_window_and_is_still_on_is_in_it():
    starts = expand(
        "FREQ=MONTHLY;BYDAY=1TU",
        local(2026, 1, 6),
        utc(2026, 3, 3, 10),  # 11:00 in Tunis: the meeting runs until noon
        utc(2026, 3, 4, 0),
    )

    assert starts == [local(2026, 3, 3)]


def test_a_single_meeting_has_one_sitting():
    dtstart = local(2026, 3, 3)

    assert expand("", dtstart, utc(2026, 3, 1, 0), utc(2026, 3, 31, 0)) == [dtstart]
    assert expand("", dtstart, utc(2026, 4, 1, 0), utc(2026, 4, 30, 0)) == []
    assert recurrence.last_start(rule="", dtstart=dtstart) == dtstart


def test_the_last_sitting_of_a_series_that_ends():
    dtstart = local(2026, 1, 6)

    assert recurrence.last_start(rule="FREQ=MONTHLY;COUNT=3;BYDAY=1TU", dtstart=dtstart) == local(
        2026, 3, 3
    )
    assert recurrence.last_start(
        rule="FREQ=MONTHLY;UNTIL=20260415T000000Z;BYDAY=1TU", dtstart=dtstart
    ) == local(2026, 4, 7)
    assert recurrence.last_start(rule="FREQ=MONTHLY;BYDAY=1TU", dtstart=dtstart) is None


def test_is_occurrence_and_stamps():
    dtstart = local(2026, 1, 6)
    rule = "FREQ=MONTHLY;BYDAY=1TU"

    assert recurrence.is_occurrence(rule=rule, dtstart=dtstart, moment=local(2026, 3, 3))
    assert not recurrence.is_occurrence(rule=rule, dtstart=dtstart, moment=local(2026, 3, 4))
    assert recurrence.stamp(local(2026, 3, 3)) == "20260303T090000Z"
    assert recurrence.parse_stamp("20260303T090000Z") == utc(2026, 3, 3, 9)
    assert recurrence.parse_stamp("2026-03-03") is None
