"""A coordinator's day without dead ends (issue 11): a meeting scheduled for earlier today stays
in sight with its time, the confirmation shows the meeting scheduled, the time-zone list starts
with the region's zones, cancelling a whole series is asked on a page of its own, and a group is
set up from the web.

The clock (conftest): Monday 2 March 2026, 10:00 in Tunis."""

from __future__ import annotations

import datetime
import re

import pytest

from coordination.models import CoordinationGroup, Meeting, MeetingStatus
from tests.coordination.conftest import browser
from tests.coordination.test_meetings import form_data
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


# Meetings ----------------------------------------------------------------------------------------


def test_a_meeting_scheduled_for_earlier_today_is_shown_with_its_time(world):
    client = browser(world.coordinator)

    response = client.post(
        f"/coordination/groups/{world.group.pk}/meetings/new/",
        form_data(
            title="Port briefing", start_date="2026-03-02", start_time="07:00", repeat="none"
        ),
    )

    meeting = Meeting.objects.get(title="Port briefing")
    # The confirmation is the sitting scheduled (07:00 Tunis, 06:00 UTC), though it is over.
    assert response["Location"] == f"/coordination/meetings/{meeting.pk}/20260302T060000Z/"
    page = client.get(response["Location"]).content.decode()
    assert "Mon 2 Mar 2026, 07:00" in page
    upcoming = client.get("/coordination/meetings/").content.decode()
    assert "Port briefing" in upcoming
    assert "earlier today" in upcoming


def test_past_meetings_of_a_series_show_their_time(world):
    series = world.meeting(start=datetime.datetime(2026, 1, 6, 10, 0))  # noqa: DTZ001 - wall time

    page = browser(world.member_worker).get(f"/coordination/meetings/{series.pk}/").content.decode()

    past = page.split("<h3>Past</h3>", 1)[1].split("</ul>", 1)[0]
    assert "Tue 3 Feb 2026, 10:00" in past
    assert "Tue 6 Jan 2026, 10:00" in past


def test_the_time_zone_list_starts_with_the_region_and_the_groups_zone(world):
    world.group.time_zone = "Africa/Casablanca"
    world.group.save(update_fields=["time_zone"])

    page = (
        browser(world.coordinator)
        .get(f"/coordination/groups/{world.group.pk}/meetings/new/")
        .content.decode()
    )

    select = re.search(r'<select name="time_zone".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [label for label, _ in groups] == ["Common", "All time zones"]
    common = re.findall(r'<option value="([^"]+)"', groups[0][1])
    assert common[0] == "Africa/Tunis"
    assert {"Africa/Casablanca", "Africa/Algiers", "Europe/Rome"} <= set(common)
    assert "Africa/Tunis" not in groups[1][1]  # never twice
    assert re.search(r'<option value="Africa/Casablanca" selected>', select)
    assert len(re.findall("<option", select)) > 300  # every zone is still there


def test_cancelling_a_whole_series_is_asked_on_a_page_of_its_own(world):
    series = world.meeting()
    client = browser(world.coordinator)
    sitting_page = client.get(f"/coordination/meetings/{series.pk}/").content.decode()
    # Next to "Cancel this meeting only" there is only a link to the question, no button.
    assert f'action="/coordination/meetings/{series.pk}/cancel/"' not in sitting_page
    assert f'href="/coordination/meetings/{series.pk}/cancel/"' in sitting_page

    asked = client.get(f"/coordination/meetings/{series.pk}/cancel/")
    assert asked.status_code == 200
    assert "Cancel the whole series" in asked.content.decode()
    assert "coming meetings are cancelled" in asked.content.decode()
    not_confirmed = client.post(f"/coordination/meetings/{series.pk}/cancel/", {"note": "x"})
    assert not_confirmed.status_code == 200
    assert Meeting.objects.get(pk=series.pk).status != MeetingStatus.CANCELLED

    done = client.post(f"/coordination/meetings/{series.pk}/cancel/", {"confirmed": "1"})

    assert done.status_code == 302
    assert Meeting.objects.get(pk=series.pk).status == MeetingStatus.CANCELLED


def test_a_single_meeting_is_cancelled_from_its_page(world):
    single = world.meeting(rrule="")

    response = browser(world.coordinator).post(f"/coordination/meetings/{single.pk}/cancel/")

    assert response.status_code == 302
    assert Meeting.objects.get(pk=single.pk).status == MeetingStatus.CANCELLED


def test_members_may_not_even_ask_to_cancel(world):
    series = world.meeting()

    assert (
        browser(world.member_worker).get(f"/coordination/meetings/{series.pk}/cancel/").status_code
        == 403
    )


# Setting up a group ------------------------------------------------------------------------------


def _group_form(world, **overrides) -> dict:
    return {
        "name": "Port coordination",
        "description": "Arrivals at the port",
        "time_zone": "Africa/Tunis",
        "convening_organisation": world.cso.pk,
        "members": [world.municipality.pk, world.office.pk],
        "coordinators": [world.member_supervisor.pk, world.coordinator.pk],
        **overrides,
    }


def test_a_supervisor_sets_up_a_group_with_its_members_and_coordinators(world):
    client = browser(world.member_supervisor)
    page = client.get("/coordination/").content.decode()
    assert 'href="/coordination/groups/new/"' in page

    response = client.post("/coordination/groups/new/", _group_form(world))

    group = CoordinationGroup.objects.get(name="Port coordination")
    assert response["Location"] == f"/coordination/groups/{group.pk}/"
    assert group.convening_organisation == world.cso
    assert set(group.members.all()) == {world.cso, world.municipality, world.office}
    assert set(group.coordinators.all()) == {world.member_supervisor, world.coordinator}
    # The coordinator named there coordinates it at once.
    assert (
        browser(world.coordinator).get(f"/coordination/groups/{group.pk}/meetings/new/").status_code
        == 200
    )


def test_a_coordinator_must_work_for_one_of_the_groups_organisations(world):
    response = browser(world.member_supervisor).post(
        "/coordination/groups/new/",
        _group_form(world, members=[world.municipality.pk], coordinators=[world.coordinator.pk]),
    )

    assert response.status_code == 200
    assert 'id="id_coordinators_error"' in response.content.decode()
    assert not CoordinationGroup.objects.filter(name="Port coordination").exists()


def test_a_supervisor_convenes_only_for_its_own_organisation(world):
    response = browser(world.member_supervisor).post(
        "/coordination/groups/new/", _group_form(world, convening_organisation=world.outside.pk)
    )

    assert response.status_code == 200
    assert 'id="id_convening_organisation_error"' in response.content.decode()
    assert not CoordinationGroup.objects.filter(name="Port coordination").exists()


def test_a_caseworker_is_told_who_sets_up_groups(world):
    page = browser(world.member_worker).get("/coordination/").content.decode()
    assert 'href="/coordination/groups/new/"' not in page

    response = browser(world.member_worker).get("/coordination/groups/new/")

    assert response.status_code == 403


def test_a_platform_admin_sets_up_a_group_any_organisation_convenes(world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    member(world.outside, "caseworker", username="faraway.worker")

    response = browser(admin).post(
        "/coordination/groups/new/",
        _group_form(
            world,
            convening_organisation=world.outside.pk,
            members=[],
            coordinators=[world.outsider.pk],
        ),
    )

    group = CoordinationGroup.objects.get(name="Port coordination")
    assert response.status_code == 302
    assert group.convening_organisation == world.outside
    assert list(group.coordinators.all()) == [world.outsider]


def test_a_duplicate_name_is_said_on_the_field(world):
    response = browser(world.member_supervisor).post(
        "/coordination/groups/new/", _group_form(world, name=world.group.name.upper())
    )

    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()
