"""Computed indicators of a joint action plan equal the statistics on constructed data, month and
quarter boundaries in the group's time zone included, with the same disclosure control."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from coordination import progress
from coordination import services as coordination_services
from coordination.models import Frequency
from coordination.permissions import group_sync
from referrals.models import DeclineReason, State
from tests.referrals.conftest import get
from tests.referrals.insight_data import add_referrals, at

STATS = "/api/v1/stats/referrals/"


@pytest.fixture
def frozen():
    with time_machine.travel(at(2026, 7, 15, 12), tick=False):
        yield


def plan_with(world, source: str, *, frequency=Frequency.MONTHLY, category: str = ""):
    world.group.time_zone = "Africa/Tunis"  # UTC+1
    world.group.save()
    group_sync(world.group)  # the referral world's group is made without the services
    plan = coordination_services.action_plan_create(
        actor=world.coordinator,
        group=world.group,
        title="Plan 2026",
        start_on=datetime.date(2026, 1, 1),
        end_on=datetime.date(2026, 12, 31),
    )
    indicator = coordination_services.indicator_create(
        actor=world.coordinator,
        plan_id=plan.pk,
        name=source,
        target=100,
        source=source,
        frequency=frequency,
        category=category,
    )
    return plan, indicator


def actuals(plan) -> dict[str, object]:
    (row,) = progress.plan_progress(plan)
    return {p.period.start.strftime("%Y-%m"): p.actual for p in row.periods}


def stats_by_month(world, start: str, end: str) -> dict:
    response = get(
        world.coordinator, f"{STATS}?scope=group:{world.group.pk}&start={start}&end={end}"
    )
    assert response.status_code == 200, response.content
    found = next(t for t in response.json()["tables"] if t["name"] == "by_month")
    return {row["key"]: row["values"]["received"] for row in found["rows"]}


@pytest.mark.usefixtures("frozen")
def test_referrals_received_equal_the_statistics_month_by_month_in_the_groups_time_zone(world):
    plan, _indicator = plan_with(world, "referrals_received")
    # 23:30 UTC on 28 February is 00:30 on 1 March in Tunis.
    add_referrals(world.sender, world.receiver, 6, submitted_at=at(2026, 2, 28, 22, 30))
    add_referrals(world.sender, world.receiver, 7, submitted_at=at(2026, 2, 28, 23, 30))
    add_referrals(world.sender, world.receiver, 9, submitted_at=at(2026, 5, 3, 10))

    found = actuals(plan)
    statistics = stats_by_month(world, "2026-01", "2026-07")

    assert found["2026-02"] == statistics["2026-02"] == 6
    assert found["2026-03"] == statistics["2026-03"] == 7
    assert found["2026-05"] == statistics["2026-05"] == 9
    assert found["2026-01"] == statistics["2026-01"] == 0
    assert found["2026-08"] is None  # not started


@pytest.mark.usefixtures("frozen")
def test_quarters_add_up_the_months_of_the_statistics(world):
    plan, _indicator = plan_with(world, "referrals_completed", frequency=Frequency.QUARTERLY)
    add_referrals(world.sender, world.receiver, 6, submitted_at=at(2026, 3, 31, 23, 0))  # April
    add_referrals(world.sender, world.receiver, 5, submitted_at=at(2026, 3, 31, 22, 59))  # March
    add_referrals(
        world.sender, world.receiver, 8, submitted_at=at(2026, 5, 2), state=State.IN_PROGRESS
    )

    found = actuals(plan)

    assert found == {"2026-01": 5, "2026-04": 6, "2026-07": 0, "2026-10": None}


@pytest.mark.usefixtures("frozen")
def test_small_values_are_hidden_with_their_complement(world):
    plan, _indicator = plan_with(world, "referrals_received")
    add_referrals(world.sender, world.receiver, 2, submitted_at=at(2026, 3, 10))
    add_referrals(world.sender, world.receiver, 30, submitted_at=at(2026, 4, 10))

    found = actuals(plan)
    (row,) = progress.plan_progress(plan)

    assert found["2026-03"] == "<5"
    assert row.periods[2].status == "suppressed"
    # Alone among zeros, a hidden 2 would be the whole difference: something else hides too.
    hidden = [month for month, value in found.items() if value == "<5"]
    assert len(hidden) >= 2
    assert all(value in ("<5", None) or value == 0 or value >= 5 for value in found.values())


@pytest.mark.usefixtures("frozen")
def test_the_share_declined_for_lack_of_capacity_and_the_median_days_to_accept(world):
    add_referrals(
        world.sender,
        world.receiver,
        6,
        submitted_at=at(2026, 4, 10, 8),
        state=State.DECLINED,
        decline_reason=DeclineReason.NO_CAPACITY,
        answer_after=[24] * 6,
    )
    add_referrals(
        world.sender,
        world.receiver,
        14,
        submitted_at=at(2026, 4, 11, 8),
        state=State.ACCEPTED,
        answer_after=[24, 48, 48, 48, 48, 48, 48, 72, 72, 72, 72, 72, 72, 96],
    )
    add_referrals(
        world.sender,
        world.receiver,
        3,
        submitted_at=at(2026, 5, 11, 8),
        state=State.ACCEPTED,
        answer_after=[24, 24, 24],
    )
    share_plan, _ = plan_with(world, "declined_no_capacity")
    median_plan, _ = plan_with(world, "median_days_to_accept")

    shares = actuals(share_plan)
    medians = actuals(median_plan)

    assert shares["2026-04"] == 30  # 6 of 20 answered
    assert shares["2026-05"] == "<5"  # 0 of 3: the rest is too small to show
    assert medians["2026-04"] == 2.5  # days, over 14 accepted
    assert medians["2026-05"] == "<5"  # over 3 only
    assert shares["2026-01"] is None  # nothing answered: nothing to measure


@pytest.mark.usefixtures("frozen")
def test_a_category_narrows_a_computed_indicator(world):
    plan, _indicator = plan_with(world, "referrals_received", category="food")
    add_referrals(world.sender, world.receiver, 6, submitted_at=at(2026, 4, 10), category="food")
    add_referrals(world.sender, world.receiver, 9, submitted_at=at(2026, 4, 10), category="health")

    assert actuals(plan)["2026-04"] == 6


@pytest.mark.usefixtures("frozen")
def test_the_progress_api_gives_the_marker_never_a_case(world):
    plan, indicator = plan_with(world, "referrals_received")
    add_referrals(world.sender, world.receiver, 3, submitted_at=at(2026, 3, 10))

    response = get(world.sender_worker, f"/api/v1/plans/{plan.pk}/progress/")

    assert response.status_code == 200, response.content
    body = response.content.decode()
    (row,) = response.json()["indicators"]
    assert row["id"] == indicator.pk
    assert row["kind"] == "computed"
    assert row["periods"][2]["actual"] == "<5"
    assert "Confidential" not in body
    assert "reference" not in body
