"""Whatever arrives, the answer is never a 500: malformed bodies, query strings, identifiers,
and dates at the ends of the calendar."""

from __future__ import annotations

import datetime

import pytest

from tests.coordination.conftest import api, browser

BAD_MEETINGS = [
    [],
    "text",
    {"group": "abc", "title": "x", "start": "2026-03-03T10:00"},
    {"group": None},
    {"start": "2026-13-45T10:00"},
    {"start": "9999-12-31T23:30"},
    {"start": "0001-01-01T00:00"},
    {"start": "2026-03-03T10:00", "duration_minutes": 10**12},
    {"start": "2026-03-03T10:00", "rrule": "FREQ=DAILY;UNTIL=99991231"},
    {"start": "2026-03-03T10:00", "rrule": "FREQ=MONTHLY;BYDAY=1TU;COUNT=99999999999999999"},
    {"start": "2026-03-03T10:00", "rrule": "FREQ=MONTHLY;BYMONTHDAY=99999"},
    {"start": "2026-03-03T10:00", "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"},
    {"start": "2026-03-03T10:00", "rrule": "FREQ=MONTHLY;BYDAY=1TU;WKST=XX"},
    {"start": "2026-03-03T10:00", "rrule": "x" * 600},
    {"start": "2026-03-03T10:00", "rrule": "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261301"},
    {"start": "2026-03-03T10:00", "time_zone": "../../etc/passwd"},
    # A name the zone database would try to open as a file: too long for the file system.
    {"start": "2026-03-03T10:00", "time_zone": "Africa/" + "x" * 300},
    {"start": "2026-03-03T10:00", "time_zone": "Õ<¾\U0004dc70:" * 40},
    {"start": "2026-03-03T10:00", "invited_organisations": "all"},
    {"start": "2026-03-03T10:00", "invited_organisations": [None]},
    {"start": "2026-03-03T10:00", "title": "t" * 500},
]


@pytest.mark.parametrize("body", BAD_MEETINGS)
def test_bad_meetings_are_400(world, body):
    data = body
    if isinstance(body, dict):
        data = {"group": world.group.pk, "title": "Meeting", **body}

    response = api(world.coordinator).post("/api/v1/meetings/", data, format="json")

    assert response.status_code == 400, response.content


BAD_ITEMS = [
    {"meeting": "x"},
    {"sitting": "yesterday"},
    {"sitting": "9999-12-31T23:00:00Z"},
    {"sitting": "2000-01-01T00:00:00Z"},
    {"owner_user": "me"},
    {"owner_organisation": [1]},
    {"due_on": "2026-02-30"},
    {"title": None},
]


@pytest.mark.parametrize("body", BAD_ITEMS)
def test_bad_action_items_are_refused_without_a_500(world, body):
    meeting = world.meeting()
    data = {
        "meeting": meeting.pk,
        "title": "Do",
        "owner_organisation": world.cso.pk,
        "due_on": "2026-03-31",
        **body,
    }

    response = api(world.coordinator).post("/api/v1/action-items/", data, format="json")

    assert response.status_code in (400, 404), response.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/meetings/?upcoming=perhaps",
        "/api/v1/meetings/?group=-1",
        "/api/v1/action-items/?mine=perhaps",
        "/api/v1/action-items/?status=finished",
        "/api/v1/action-items/?group=x",
        "/api/v1/meetings/99999999999999999999/",
        "/api/v1/coordination-groups/99999999999999999999/",
        "/api/v1/action-items/99999999999999999999/",
    ],
)
def test_bad_query_strings_and_ids(world, url):
    response = api(world.member_worker).get(url)

    assert response.status_code in (400, 404), (url, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        "/coordination/meetings/calendar/?month=9999-12",
        "/coordination/meetings/calendar/?month=0-0",
        "/coordination/meetings/calendar/?month=2026-13",
        "/coordination/meetings/calendar/?month=abc",
        "/coordination/meetings/?group=abc",
        "/coordination/meetings/{meeting}/99991231T230000Z/",
        "/coordination/meetings/{meeting}/00010101T000000Z/",
        "/coordination/meetings/{meeting}/20261399T990000Z/",
        "/coordination/feed/1/{long}.ics",
    ],
)
def test_bad_pages_are_never_a_500(world, url):
    meeting = world.meeting(rrule="FREQ=DAILY")

    response = browser(world.member_worker).get(url.format(meeting=meeting.pk, long="a" * 500))

    assert response.status_code in (200, 404), (url, response.status_code)


def test_a_far_date_in_the_forms_is_a_form_error(world):
    response = browser(world.coordinator).post(
        f"/coordination/groups/{world.group.pk}/meetings/new/",
        {
            "title": "Far",
            "start_date": "9999-12-31",
            "start_time": "23:30",
            "duration_minutes": "120",
            "time_zone": "Africa/Tunis",
            "repeat": "none",
        },
    )

    assert response.status_code == 200
    assert "start_date" in response.context["form"].errors


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("attendance/", {"present": [HUGE]}),
        ("attendance/", {"present": ["-" + HUGE, "x"]}),
        ("actions/", {"title": "T", "due_on": "2026-04-01", "owner_organisation": HUGE}),
        ("decisions/", {"text": "D", "agenda_item": HUGE}),
    ],
)
def test_ids_beyond_64_bits_in_forms_are_form_errors(world, path, data):
    """Once a 500 (issue 10): an id no database can hold is simply not a valid choice."""
    meeting = world.meeting()
    stamp = meeting.first_start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    response = browser(world.coordinator).post(
        f"/coordination/meetings/{meeting.pk}/{stamp}/{path}", data
    )
    assert response.status_code in (200, 302, 400), response.status_code


@pytest.mark.parametrize(
    "url",
    [
        f"/coordination/meetings/?group={HUGE}",
        f"/api/v1/meetings/?group={HUGE}",
        f"/api/v1/action-items/?group={HUGE}&meeting={HUGE}",
    ],
)
def test_ids_beyond_64_bits_in_queries_find_nothing(world, url):
    client = api(world.member_worker) if url.startswith("/api/") else browser(world.member_worker)
    response = client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)


@pytest.mark.parametrize("time_zone", ["Africa/" + "x" * 300, "../../etc/passwd", "Õ<\x0e" * 90])
def test_a_group_with_an_impossible_time_zone_is_a_400(world, time_zone):
    response = api(world.coordinator).post(
        "/api/v1/coordination-groups/",
        {"name": "Port", "convening_organisation": world.cso.pk, "time_zone": time_zone},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "time_zone" in response.json()
