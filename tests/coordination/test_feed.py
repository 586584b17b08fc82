"""The personal calendar feed: a secret address, served without a session, holding exactly the
user's meetings; regenerating or revoking it ends the old address at once."""

from __future__ import annotations

import re

from django.test import Client
from icalendar import Calendar

from coordination import selectors, services
from coordination.models import CalendarFeed
from organisations import services as organisation_services
from tests.coordination.conftest import api, browser
from tests.factories import membership_of


def feed_path(user) -> str:
    feed = services.feed_regenerate(user=user)
    return f"/coordination/feed/{feed.pk}/{selectors.feed_token(feed)}.ics"


def uids(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    return {str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}


def test_the_feed_holds_the_users_meetings_without_a_session(world):
    ours = world.meeting()
    theirs = world.meeting(group=world.other_group, actor=world.other_group.coordinators.get())
    path = feed_path(world.member_worker)

    response = Client().get(path)  # no session, no token header: the address is the key

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert uids(response) == {ours.uid}
    assert theirs.uid not in response.content.decode()


def test_a_wrong_token_is_not_found(world):
    world.meeting()
    path = feed_path(world.member_worker)
    feed = CalendarFeed.objects.get()

    assert Client().get(path.replace(".ics", "0.ics")).status_code == 404
    assert Client().get(f"/coordination/feed/{feed.pk}/{'0' * 64}.ics").status_code == 404
    assert Client().get(f"/coordination/feed/{feed.pk + 1}/{'0' * 64}.ics").status_code == 404
    # Signed in is not enough: the feed answers to its address only.
    assert (
        browser(world.member_worker).get(f"/coordination/feed/{feed.pk}/x.ics").status_code == 404
    )


def test_regenerating_ends_the_old_address(world):
    world.meeting()
    old = feed_path(world.member_worker)

    new = feed_path(world.member_worker)

    assert old != new
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_revoking_ends_the_address(world):
    world.meeting()
    path = feed_path(world.member_worker)

    assert services.feed_revoke(user=world.member_worker) is True

    assert Client().get(path).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_the_feed_follows_access(world):
    meeting = world.meeting()
    path = feed_path(world.member_worker)
    assert uids(Client().get(path)) == {meeting.uid}

    organisation_services.membership_deactivate(
        membership=membership_of(world.member_worker, world.cso), actor=None
    )

    assert uids(Client().get(path)) == set()
    world.member_worker.is_active = False
    world.member_worker.save(update_fields=["is_active"])
    assert Client().get(path).status_code == 404


def test_the_settings_page_shows_regenerates_and_revokes(world):
    client = browser(world.member_worker)

    empty = client.get("/coordination/calendar-feed/")
    created = client.post("/coordination/calendar-feed/regenerate/", follow=True)
    url = re.search(
        r'value="(http://testserver/coordination/feed/[^"]+)"', created.content.decode()
    )
    regenerated = client.post("/coordination/calendar-feed/regenerate/", follow=True)
    revoked = client.post("/coordination/calendar-feed/revoke/", follow=True)

    assert empty.status_code == 200
    assert "Create my calendar address" in empty.content.decode()
    assert url is not None
    assert "webcal://testserver/coordination/feed/" in created.content.decode()
    assert url.group(1) not in regenerated.content.decode()
    assert Client().get(url.group(1).removeprefix("http://testserver")).status_code == 404
    assert revoked.status_code == 200
    assert not CalendarFeed.objects.filter(user=world.member_worker).exists()
    assert client.get("/coordination/calendar-feed/regenerate/").status_code == 405


def test_the_api_shows_regenerates_and_revokes_the_address(world):
    client = api(world.member_worker)
    assert client.get("/api/v1/calendar-feed/").data["url"] is None

    first = client.post("/api/v1/calendar-feed/regenerate/")

    assert first.status_code == 200
    assert first.data["webcal"].startswith("webcal://")
    path = first.data["url"].split("testserver", 1)[1]
    assert browser().get(path).status_code == 200  # no session: the address is the key
    second = client.post("/api/v1/calendar-feed/regenerate/").data
    assert second["url"] != first.data["url"]
    assert browser().get(path).status_code == 404  # the old address ends
    assert client.get("/api/v1/calendar-feed/").data["url"] == second["url"]
    assert client.post("/api/v1/calendar-feed/revoke/").data["url"] is None
    assert browser().get(second["url"].split("testserver", 1)[1]).status_code == 404
    assert api().get("/api/v1/calendar-feed/").status_code == 401
