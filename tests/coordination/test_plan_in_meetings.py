"""Meetings and the joint plan: the next sitting proposes to review late reports and indicators
off track; agenda items review a plan; decisions and action items serve an activity."""

from __future__ import annotations

import datetime

import pytest

from coordination import services
from coordination.exceptions import ValidationFailed
from coordination.models import AgendaItem
from tests.coordination.conftest import browser
from tests.coordination.test_action_plans import make_plan, make_reported

MARCH_3 = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=datetime.UTC)


def test_the_next_sitting_proposes_to_review_the_late_reports(world):
    meeting = world.meeting()
    plan = make_plan(world)
    make_reported(world, plan)  # January's report was due on 11 February: late
    url = f"/coordination/meetings/{meeting.pk}/20260303T090000Z/"

    page = browser(world.coordinator).get(url).content.decode()

    assert "Late reports:" in page
    assert "Nights of shelter given" in page
    response = browser(world.coordinator).post(
        f"{url}agenda/", {"title": "Review of the joint plan", "reviews_plan": plan.pk}
    )
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.reviews_plan == plan
    assert (
        f"/coordination/action-plans/{plan.pk}/progress/"
        in browser(world.member_worker).get(url).content.decode()
    )


def test_a_decision_serves_an_activity_of_the_groups_plans_only(world):
    meeting = world.meeting()
    activity, _indicator = make_reported(world, make_plan(world))
    other_plan = services.action_plan_create(
        actor=world.other_group.coordinators.get(),
        group=world.other_group,
        title="Elsewhere",
        start_on=datetime.date(2026, 1, 1),
        end_on=datetime.date(2026, 12, 31),
    )
    foreign = services.activity_create(
        actor=world.other_group.coordinators.get(),
        plan_id=other_plan.pk,
        title="Far",
        lead_organisation=world.outside,
        start_on=other_plan.start_on,
        end_on=other_plan.end_on,
    )

    decision = services.decision_record(
        meeting_id=meeting.pk,
        original_start=MARCH_3,
        actor=world.coordinator,
        text="More beds",
        activity=activity,
    )
    with pytest.raises(ValidationFailed) as refused:
        services.decision_record(
            meeting_id=meeting.pk,
            original_start=MARCH_3,
            actor=world.coordinator,
            text="Theirs",
            activity=foreign,
        )

    assert decision.activity == activity
    assert refused.value.field == "activity"
    item = services.action_item_create(
        actor=world.coordinator,
        meeting_id=meeting.pk,
        original_start=MARCH_3,
        title="Count the beds",
        owner_organisation=world.cso,
        due_on=datetime.date(2026, 3, 20),
        activity=activity,
    )
    assert list(activity.action_items.all()) == [item]
