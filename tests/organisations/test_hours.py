"""Opening hours in the OpenStreetMap syntax: what is open when, in the city's time."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from organisations import hours

TUNIS = zoneinfo.ZoneInfo("Africa/Tunis")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime.datetime(2029, 3, 13, 10, 0, tzinfo=TUNIS), True),  # Tuesday morning
        (datetime.datetime(2029, 3, 13, 13, 0, tzinfo=TUNIS), False),  # the lunch break
        (datetime.datetime(2029, 3, 13, 9, 0, tzinfo=datetime.UTC), True),  # 10:00 in Sfax
        (datetime.datetime(2029, 3, 17, 10, 0, tzinfo=TUNIS), False),  # Saturday
        (datetime.datetime(2029, 3, 20, 10, 0, tzinfo=TUNIS), False),  # Independence Day
    ],
)
def test_open_at_a_moment_in_the_citys_time(moment, expected):
    assert hours.is_open("Mo-Fr 08:30-12:00,14:00-17:00; PH off", moment) is expected


def test_unknown_hours_are_never_open_or_closed():
    assert hours.is_open("") is None
    assert hours.is_open("By appointment") is None
    assert hours.week("By appointment") == []


def test_a_night_range_is_split_over_the_days_it_covers():
    week = hours.week("Sa 22:00-02:00", datetime.date(2029, 3, 10))  # a Saturday

    assert week[0].ranges == ((datetime.time(22), datetime.time(0)),)
    assert week[1].ranges == ((datetime.time(0), datetime.time(2)),)
    assert [day.ranges for day in week[2:]] == [()] * 5


def test_the_weekly_pattern_groups_the_days_sharing_a_range():
    assert hours.weekly_pattern("Mo-Fr 08:30-16:30; Sa 09:00-12:00; PH off") == [
        (["MO", "TU", "WE", "TH", "FR"], datetime.time(8, 30), datetime.time(16, 30)),
        (["SA"], datetime.time(9), datetime.time(12)),
    ]


@pytest.mark.parametrize("value", ["Mon–Fri 9 to 5", "Mo-Fr 25:00-26:00", "open sometimes"])
def test_hours_not_in_the_syntax_are_refused_with_an_example(value):
    with pytest.raises(ValidationError) as refused:
        hours.validate_opening_hours(value)
    assert hours.EXAMPLE in refused.value.messages[0]


@pytest.mark.parametrize(
    ("written", "rule"),
    [
        ("Mon–Fri 08:30–16:30", "Mo-Fr 08:30-16:30"),
        ("Mon-Sat 09:00-13:00", "Mo-Sa 09:00-13:00"),
        ("By appointment", "By appointment"),
    ],
)
def test_older_hours_that_only_spelt_the_days_become_rules(written, rule):
    assert hours.legacy_to_rule(written) == rule
