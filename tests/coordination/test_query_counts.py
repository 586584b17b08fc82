"""Lists cost the same number of queries with 5 rows as with 30 (web pages and API)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import services
from tests.coordination.conftest import api, browser

UTC = datetime.UTC
MARCH_3 = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
# The pages carry the session, the user, the bell and the memberships besides their lists; an
# API list answers in at most 8 (issue 13). Neither grows with the rows.
MAX_QUERIES = 30
MAX_API_QUERIES = 8
RULES = ["FREQ=MONTHLY;BYDAY=1TU", "FREQ=WEEKLY;BYDAY=TU", "", "FREQ=MONTHLY;BYDAY=1TU;COUNT=5"]


class Rows:
    """Adds n of everything the lists show, in the world's group (and n groups)."""

    def __init__(self, world) -> None:
        self.world = world
        self.series = world.meeting(title="Series")
        self.count = 0

    def add(self, n: int) -> None:
        world = self.world
        for _ in range(n):
            self.count += 1
            i = self.count
            services.group_create(
                actor=None,
                name=f"Group {i}",
                convening_organisation=world.municipality,
                members=[world.cso, world.office],
                coordinators=[world.coordinator],
            )
            meeting = world.meeting(title=f"Meeting {i}", rrule=RULES[i % len(RULES)])
            if i % 3 == 0:  # one sitting cancelled (a whole single meeting)
                services.sitting_cancel(
                    meeting_id=meeting.pk, original_start=MARCH_3, actor=world.coordinator
                )
            services.action_item_create(
                actor=world.coordinator,
                meeting_id=self.series.pk,
                original_start=MARCH_3,
                title=f"Action {i}",
                owner_organisation=[world.cso, world.municipality, world.office][i % 3],
                owner_user=world.member_worker if i % 6 == 0 else None,
                due_on=datetime.date(2026, 3, 10 + i % 20),
            )
            services.agenda_propose(
                meeting_id=self.series.pk,
                original_start=MARCH_3,
                actor=[world.member_worker, world.coordinator][i % 2],
                title=f"Item {i}",
            )
            alert = services.alert_broadcast(
                actor=world.coordinator, group=world.group, title=f"Alert {i}", message="!"
            )
            if i % 2:
                services.alert_acknowledge(alert_id=alert.pk, actor=world.member_worker)
            services.plan_create(
                actor=world.coordinator,
                group=world.group,
                title=f"Plan {i}",
                scenario="Scenario",
                roles={world.cso.pk: ("Food", "+216")},
            )


def measure(call: Callable) -> tuple[int, object]:
    call()  # warm caches that live for the process (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, getattr(response, "data", response.status_code)
    return len(captured), response


PAGES = [
    "/coordination/",
    "/coordination/groups/{group}/",
    "/coordination/meetings/",
    "/coordination/meetings/calendar/",
    "/coordination/actions/",
    "/coordination/actions/?all=1",
    "/coordination/meetings/{series}/20260303T090000Z/",
]
API_LISTS = [
    "/api/v1/coordination-groups/",
    "/api/v1/meetings/",
    "/api/v1/meetings/?upcoming=true",
    "/api/v1/action-items/",
    "/api/v1/action-items/?mine=true",
]


@pytest.mark.parametrize("persona", ["coordinator", "member_worker"])
def test_pages_do_not_grow_with_the_rows(world, persona):
    rows = Rows(world)
    user = getattr(world, persona)
    urls = [u.format(group=world.group.pk, series=rows.series.pk) for u in PAGES]

    client = browser(user)

    rows.add(5)
    few = {url: measure(lambda url=url: client.get(url)) for url in urls}
    rows.add(25)
    many = {url: measure(lambda url=url: client.get(url)) for url in urls}

    for url in urls:
        assert many[url][0] == few[url][0], url
        assert few[url][0] <= MAX_QUERIES, (url, few[url][0])
        assert len(many[url][1].content) > len(few[url][1].content), url


@pytest.mark.parametrize("persona", ["coordinator", "member_worker"])
def test_api_lists_do_not_grow_with_the_rows(world, persona):
    rows = Rows(world)
    client = api(getattr(world, persona))

    rows.add(5)
    few = {url: measure(lambda url=url: client.get(url)) for url in API_LISTS}
    rows.add(25)
    many = {url: measure(lambda url=url: client.get(url)) for url in API_LISTS}

    for url in API_LISTS:
        few_queries, few_response = few[url]
        many_queries, many_response = many[url]
        assert len(many_response.data["results"]) > len(few_response.data["results"]) > 0, url
        assert many_queries == few_queries, url
        assert few_queries <= MAX_API_QUERIES, (url, few_queries)
