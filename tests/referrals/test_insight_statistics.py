"""Referral statistics on constructed data: every figure known in advance."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import State
from tests.referrals.conftest import get
from tests.referrals.insight_data import add_referrals, at

URL = "/api/v1/stats/referrals/"


def table(data: dict, name: str) -> dict:
    found = next(t for t in data["tables"] if t["name"] == name)
    return {row["key"]: row["values"] for row in found["rows"]} | (
        {"total": found["total"]["values"]} if found["total"] else {}
    )


@pytest.fixture
def frozen():
    with time_machine.travel(at(2026, 6, 15, 12), tick=False):
        yield


@pytest.mark.usefixtures("frozen")
def test_it_gives_known_medians_and_percentiles(world):
    # Accepted after 1, 2, 3, 4 and 10 hours; completed 10 hours later each.
    add_referrals(
        world.sender,
        world.receiver,
        5,
        submitted_at=at(2026, 4, 10, 8),
        state=State.COMPLETED,
        acknowledge_after=[0.5, 0.5, 1, 1, 2],
        answer_after=[1, 2, 3, 4, 10],
        close_after=[11, 12, 13, 14, 20],
    )
    response = get(world.receiver_supervisor, URL + "?start=2026-01&end=2026-06")
    assert response.status_code == 200, response.content
    received = table(response.json(), "response_times_received")
    assert received["accept"] == {"count": 5, "median_hours": 3.0, "p90_hours": 7.6}
    assert received["acknowledge"] == {"count": 5, "median_hours": 1.0, "p90_hours": 1.6}
    assert received["complete"] == {"count": 5, "median_hours": 13.0, "p90_hours": 17.6}
    overview = table(response.json(), "overview")
    assert overview["submitted"]["received"] == 5
    assert overview["completed"]["received"] == 5
    assert overview["submitted"]["sent"] == 0


@pytest.mark.usefixtures("frozen")
def test_months_are_counted_in_the_groups_time_zone(world):
    world.group.time_zone = "Africa/Tunis"  # UTC+1
    world.group.save()
    # 23:30 UTC on 28 February is 00:30 on 1 March in Tunis; 22:30 UTC is still February.
    add_referrals(world.sender, world.receiver, 5, submitted_at=at(2026, 2, 28, 23, 30))
    add_referrals(world.sender, world.receiver, 6, submitted_at=at(2026, 2, 28, 22, 30))
    response = get(
        world.coordinator, URL + f"?scope=group:{world.group.pk}&start=2026-02&end=2026-03"
    )
    assert response.status_code == 200, response.content
    months = table(response.json(), "by_month")
    assert months["2026-02"]["received"] == 6
    assert months["2026-03"]["received"] == 5


@pytest.mark.usefixtures("frozen")
def test_small_cells_are_hidden_with_their_complement(world):
    add_referrals(world.sender, world.receiver, 7, submitted_at=at(2026, 3, 2), category="health")
    add_referrals(world.sender, world.receiver, 2, submitted_at=at(2026, 3, 2), category="food")
    response = get(world.sender_supervisor, URL + "?start=2026-01&end=2026-06")
    categories = table(response.json(), "by_category")
    assert categories["food"]["sent"] == "<5"
    # Shown beside a total of 9, the 7 would give the 2 away: it is hidden too.
    assert categories["health"]["sent"] == "<5"
    assert categories["total"]["sent"] == 9
    visible = [v["sent"] for k, v in categories.items() if k != "total"]
    assert all(value in {"<5", 0} or value >= 5 for value in visible)


@pytest.mark.usefixtures("frozen")
def test_two_periods_a_day_apart_give_the_same_answer(world):
    add_referrals(world.sender, world.receiver, 9, submitted_at=at(2026, 3, 1, 8))
    add_referrals(world.sender, world.receiver, 1, submitted_at=at(2026, 3, 1, 3))
    first = get(world.sender_supervisor, URL + "?start=2026-03-01&end=2026-05-31").json()
    second = get(world.sender_supervisor, URL + "?start=2026-03-02&end=2026-05-30").json()
    assert first["tables"] == second["tables"]
    assert first["period"]["start"] == "2026-03"


@pytest.mark.usefixtures("frozen")
def test_a_supervisor_sees_only_their_organisation(world):
    add_referrals(world.sender, world.receiver, 6, submitted_at=at(2026, 3, 2))
    add_referrals(world.third, world.receiver, 8, submitted_at=at(2026, 3, 2))
    response = get(world.sender_supervisor, URL + "?start=2026-01&end=2026-06")
    data = response.json()
    assert data["scope"] == {
        "kind": "organisation",
        "id": world.sender.pk,
        "name": world.sender.name,
        "time_zone": "Africa/Tunis",
        "organisations": [{"id": world.sender.pk, "name": world.sender.name}],
    }
    assert table(data, "overview")["submitted"] == {"sent": 6, "received": 0}
    assert world.third.name not in json.dumps(data)
    other = get(world.sender_supervisor, URL + f"?scope=organisation:{world.receiver.pk}")
    assert other.status_code == 403


@pytest.mark.usefixtures("frozen")
def test_a_coordinator_receives_no_identifying_field(world):
    referrals = add_referrals(world.sender, world.receiver, 12, submitted_at=at(2026, 3, 2, 9))
    case = referrals[0].case
    case.given_name = "Amina Secret"
    case.save()
    for path in (URL, "/api/v1/stats/profile/"):
        response = get(world.coordinator, path + f"?scope=group:{world.group.pk}")
        assert response.status_code == 200, response.content
        text = json.dumps(response.json())
        for forbidden in (case.reference, "Amina", "Confidential reason", "2026-03-02"):
            assert forbidden not in text
        assert '"case"' not in text
        for value in _all_values(response.json()):
            if isinstance(value, str) and value[:2] == "20" and len(value) > 7:
                assert value[7:8] != "-", f"a date finer than the month: {value}"


def _all_values(data: object):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _all_values(value)
    elif isinstance(data, list):
        for value in data:
            yield from _all_values(value)
    else:
        yield data


@pytest.mark.usefixtures("frozen")
def test_decline_reasons_pairs_and_unmet_needs(world):
    add_referrals(
        world.sender,
        world.receiver,
        6,
        submitted_at=at(2026, 3, 2),
        state=State.DECLINED,
        category="emergency_shelter",
        decline_reason="no_capacity",
        answer_after=[1] * 6,
        close_after=[1] * 6,
    )
    add_referrals(world.sender, world.third, 5, submitted_at=at(2026, 3, 2), category="legal_aid")
    data = get(world.sender_supervisor, URL + "?start=2026-01&end=2026-06").json()
    assert table(data, "decline_reasons")["no_capacity"]["sent"] == 6
    pairs = table(data, "pairs")
    assert pairs[str(world.sender.pk)][str(world.receiver.pk)] == 6
    assert pairs[str(world.sender.pk)][str(world.third.pk)] == 5
    assert table(data, "overview")["acceptance_rate"]["sent"] == 0
    needs = table(data, "unmet_needs")
    city = world.sender.city.casefold()
    if world.receiver.city.casefold() == city:
        assert needs[f"{city}:emergency_shelter"]["declined_no_capacity"] == 6


def test_the_number_of_queries_does_not_grow_with_the_data(world, settings):
    settings.STATS_CACHE_SECONDS = 0
    urls = [
        (world.receiver_supervisor, URL),
        (world.coordinator, URL + f"?scope=group:{world.group.pk}"),
        (world.coordinator, "/api/v1/stats/profile/" + f"?scope=group:{world.group.pk}"),
    ]

    def counts() -> list[int]:
        found = []
        for user, url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert get(user, url).status_code == 200
            found.append(len(queries.captured_queries))
        return found

    with time_machine.travel(at(2026, 6, 15, 12), tick=False):
        add_referrals(world.sender, world.receiver, 10, submitted_at=at(2026, 3, 2))
        few = counts()
        for category in ("health", "food", "legal_aid"):
            add_referrals(
                world.sender, world.receiver, 330, submitted_at=at(2026, 4, 2), category=category
            )
        add_referrals(world.third, world.receiver, 10, submitted_at=at(2026, 5, 2))
        many = counts()
    assert few == many
    # Authentication, the scope, and a handful of grouped scans.
    assert max(many) <= 16


def test_who_may_read_statistics(world, api_client):
    assert api_client.get(URL).status_code == 401
    assert get(world.sender_worker, URL).status_code == 403
    assert get(world.sender_admin, URL).status_code == 403
    assert get(world.sender_supervisor, URL).status_code == 200
    assert get(world.coordinator, URL).status_code == 200
    assert get(world.former, URL).status_code in (401, 403)


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-13",
        "start=yesterday",
        "end=2026-02-30",
        "start=2026-05&end=2026-01",
        "start=1900-01&end=2026-01",
        "organisation=99999999999999999999",
        "organisation=abc",
        "category=space_travel",
        "scope=group:abc",
    ],
)
def test_bad_filters_get_a_400_with_the_field(world, query):
    response = get(world.sender_supervisor, URL + "?" + query)
    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict)
    assert set(response.json()) <= {"start", "end", "organisation", "category", "scope", "city"}


def test_an_organisation_outside_the_scope_is_refused(world):
    response = get(world.sender_supervisor, URL + f"?organisation={world.receiver.pk}")
    assert response.status_code == 400
    assert "organisation" in response.json()


def test_a_report_is_reused_for_a_few_minutes_then_computed_afresh(world, settings):
    settings.STATS_CACHE_SECONDS = 300
    with time_machine.travel(at(2026, 6, 15, 12), tick=False):
        add_referrals(world.sender, world.receiver, 6, submitted_at=at(2026, 3, 2))
        first = get(world.sender_supervisor, URL).json()
        add_referrals(world.sender, world.receiver, 6, submitted_at=at(2026, 3, 2))
        assert get(world.sender_supervisor, URL).json() == first
        # Another scope or other filters are other reports.
        assert get(world.receiver_supervisor, URL).json() != first
        settings.STATS_CACHE_SECONDS = 0
        fresh = get(world.sender_supervisor, URL).json()
    assert table(fresh, "overview")["submitted"]["sent"] == 12
