"""Scheduling and changing meetings: through the services, the API and the form, with the
notices the invited organisations receive."""

from __future__ import annotations

import datetime

import pytest

from coordination import services
from coordination.exceptions import NotAllowed, NotVisible
from coordination.models import Meeting
from notifications.models import Notification
from tests.coordination.conftest import api, browser, written

UTC = datetime.UTC
INVITED = {"member.worker", "member.supervisor", "muni.worker"}


def told(kind: str = "coordination.meeting") -> list[tuple[str, str]]:
    written()
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", "subject")
    )


def test_scheduling_tells_the_invited_organisations_and_the_coordinators(world):
    world.meeting()

    notices = told()

    # The scheduling coordinator is not told of their own act; the former colleague never.
    assert {username for username, _ in notices} == INVITED
    assert {subject for _, subject in notices} == {
        "New meeting series of Testville coordination: Monthly coordination"
    }
    written()
    notice = Notification.objects.filter(recipient__username="member.worker").get()
    assert "3 March 2026, 10:00" in notice.body
    assert "Africa/Tunis" in notice.body
    assert "Monthly on the first Tuesday" in notice.body


def test_changing_and_cancelling_tell_again_once_each(world):
    meeting = world.meeting()

    services.meeting_update(meeting_id=meeting.pk, actor=world.coordinator, place="Port")
    services.meeting_update(meeting_id=meeting.pk, actor=world.coordinator, place="City hall")
    services.meeting_cancel(meeting_id=meeting.pk, actor=world.coordinator)

    subjects = [s for u, s in told() if u == "member.worker"]
    assert sorted(subjects) == sorted(
        [
            "New meeting series of Testville coordination: Monthly coordination",
            "Meeting changed: Monthly coordination",
            "Meeting changed: Monthly coordination",
            "Meeting series cancelled: Monthly coordination",
        ]
    )


def test_one_sitting_moved_is_told_with_its_original_time(world):
    meeting = world.meeting()

    services.sitting_move(
        meeting_id=meeting.pk,
        original_start=datetime.datetime(2026, 4, 7, 9, tzinfo=UTC),
        actor=world.coordinator,
        start=datetime.datetime(2026, 4, 8, 15, 0),  # noqa: DTZ001 - wall time
    )

    written()
    notice = Notification.objects.filter(
        recipient__username="member.worker", subject__startswith="One meeting"
    ).get()
    assert notice.url == f"/coordination/meetings/{meeting.pk}/20260407T090000Z/"
    assert "8 April 2026, 15:00" in notice.body
    assert "Originally:" in notice.body


def test_a_meeting_recorded_after_the_fact_is_not_announced(world):
    world.meeting(rrule="", start=datetime.datetime(2026, 2, 10, 10, 0))  # noqa: DTZ001

    assert told() == []


def test_only_coordinators_schedule(world):
    with pytest.raises(NotAllowed):
        world.meeting(actor=world.member_supervisor)
    with pytest.raises(NotVisible):
        world.meeting(actor=world.outsider)
    assert not Meeting.objects.exists()


def test_an_aware_start_is_converted_to_the_meetings_wall_time(world):
    meeting = world.meeting(
        rrule="", start=datetime.datetime(2026, 3, 10, 13, 30, tzinfo=UTC), time_zone="Europe/Paris"
    )

    assert (meeting.start_date, meeting.start_time) == (
        datetime.date(2026, 3, 10),
        datetime.time(14, 30),
    )
    assert meeting.first_start == datetime.datetime(2026, 3, 10, 13, 30, tzinfo=UTC)


# API --------------------------------------------------------------------------------------------


def test_the_api_schedules_a_series(world):
    response = api(world.coordinator).post(
        "/api/v1/meetings/",
        {
            "group": world.group.pk,
            "title": "Monthly coordination",
            "start": "2026-03-03T10:00",
            "rrule": "freq=monthly;byday=1tu",
            "online_url": "https://meet.example.org/x",
        },
        format="json",
    )

    assert response.status_code == 201, response.data
    data = response.data
    assert data["rrule"] == "FREQ=MONTHLY;BYDAY=1TU"
    assert data["start"] == "2026-03-03T10:00:00"
    assert data["time_zone"] == "Africa/Tunis"
    assert data["is_series"] is True
    assert data["recurrence"] == "Monthly on the first Tuesday"
    assert sorted(data["invited_organisations"]) == sorted(
        [world.municipality.pk, world.cso.pk, world.office.pk]
    )
    assert [s["starts_at"] for s in data["next_sittings"][:2]] == [
        "2026-03-03T10:00:00+01:00",
        "2026-04-07T10:00:00+01:00",
    ]
    assert data["next_sittings"][0]["original_start"] == "2026-03-03T09:00:00Z"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "next tuesday"}, "start"),
        ({"start": 20260303}, "start"),
        ({"title": ""}, "title"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=WE"}, "rrule"),
        ({"rrule": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"online_url": "not a link"}, "online_url"),
        ({"invited_organisations": ["outside"]}, "invited_organisations"),
        ({"group": 999999}, "group"),
        ({"group": "other_group"}, "group"),  # invisible: as if it did not exist
    ],
)
def test_the_api_answers_bad_input_with_the_field(world, body, field):
    data = {"group": world.group.pk, "title": "Meeting", "start": "2026-03-03T10:00", **body}
    if data.get("invited_organisations") == ["outside"]:
        data["invited_organisations"] = [world.outside.pk]
    if data["group"] == "other_group":
        data["group"] = world.other_group.pk

    response = api(world.coordinator).post("/api/v1/meetings/", data, format="json")

    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Meeting.objects.exists()


def test_the_api_filters_meetings(world):
    series = world.meeting()
    past = world.meeting(rrule="", start=datetime.datetime(2026, 2, 3, 10, 0))  # noqa: DTZ001
    client = api(world.member_worker)

    upcoming = client.get("/api/v1/meetings/?upcoming=true")
    by_group = client.get(f"/api/v1/meetings/?group={world.group.pk}")
    bad = client.get("/api/v1/meetings/?group=abc")

    assert [row["id"] for row in upcoming.data["results"]] == [series.pk]
    assert {row["id"] for row in by_group.data["results"]} == {series.pk, past.pk}
    assert bad.status_code == 400


# The form ---------------------------------------------------------------------------------------


def form_data(**overrides: str) -> dict:
    return {
        "title": "Monthly coordination",
        "start_date": "2026-03-03",
        "start_time": "10:00",
        "duration_minutes": "120",
        "time_zone": "Africa/Tunis",
        "repeat": "monthly",
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({}, "FREQ=MONTHLY;BYDAY=1TU"),
        ({"repeat": "weekly"}, "FREQ=WEEKLY;BYDAY=TU"),
        ({"repeat": "biweekly", "count": "6"}, "FREQ=WEEKLY;INTERVAL=2;COUNT=6;BYDAY=TU"),
        ({"until": "2026-12-31"}, "FREQ=MONTHLY;UNTIL=20261231T225959Z;BYDAY=1TU"),
        ({"repeat": "custom", "custom_rule": "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1"}, None),
        ({"repeat": "none"}, ""),
    ],
)
def test_the_form_turns_presets_into_rules(world, overrides, rule):
    response = browser(world.coordinator).post(
        f"/coordination/groups/{world.group.pk}/meetings/new/", form_data(**overrides)
    )

    assert response.status_code == 302, response.context["form"].errors
    meeting = Meeting.objects.get()
    assert meeting.rrule == (rule if rule is not None else "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1")
    # The sitting just scheduled (10:00 Tunis on 3 March), not whichever comes next.
    assert response["Location"] == f"/coordination/meetings/{meeting.pk}/20260303T090000Z/"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"repeat": "custom", "custom_rule": ""}, "custom_rule"),
        ({"repeat": "custom", "custom_rule": "FREQ=HOURLY"}, "custom_rule"),
        ({"repeat": "custom", "custom_rule": "FREQ=WEEKLY;BYDAY=WE"}, "custom_rule"),
        ({"until": "2026-12-31", "count": "3"}, "count"),
        ({"start_time": ""}, "start_time"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
    ],
)
def test_the_form_shows_errors_on_the_field(world, overrides, field):
    response = browser(world.coordinator).post(
        f"/coordination/groups/{world.group.pk}/meetings/new/", form_data(**overrides)
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_the_edit_form_recognises_the_preset(world):
    meeting = world.meeting(rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=4")
    client = browser(world.coordinator)

    page = client.get(f"/coordination/meetings/{meeting.pk}/edit/")
    saved = client.post(
        f"/coordination/meetings/{meeting.pk}/edit/",
        form_data(title="Renamed", repeat="monthly", count="6"),
    )

    form = page.context["form"]
    assert form.initial["repeat"] == "monthly"
    assert form.initial["count"] == 4
    assert saved.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.rrule) == ("Renamed", "FREQ=MONTHLY;COUNT=6;BYDAY=1TU")


def test_the_meeting_page_in_arabic(world):
    meeting = world.meeting()
    client = browser(world.member_worker)

    response = client.get(f"/coordination/meetings/{meeting.pk}/", HTTP_ACCEPT_LANGUAGE="ar")

    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
