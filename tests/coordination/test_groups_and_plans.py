"""Setting up groups (their grants follow the members and coordinators) and contingency plans
(flagged for review after twelve months)."""

from __future__ import annotations

import datetime

import pytest

from coordination import permissions, services
from coordination.exceptions import NotAllowed, ValidationFailed
from coordination.models import CoordinationGroup, PlanRole
from tests.coordination.conftest import api, browser
from tests.factories import member


def test_a_supervisor_of_the_convening_organisation_sets_up_a_group_and_coordinates_it(world):
    muni_supervisor = member(world.municipality, "supervisor", username="muni.supervisor")

    response = api(muni_supervisor).post(
        "/api/v1/coordination-groups/",
        {
            "name": "Port emergencies",
            "convening_organisation": world.municipality.pk,
            "members": [world.cso.pk],
            "time_zone": "Africa/Tunis",
        },
        format="json",
    )

    assert response.status_code == 201, response.data
    assert response.data["is_coordinator"] is True
    assert sorted(response.data["members"]) == sorted([world.municipality.pk, world.cso.pk])
    group = CoordinationGroup.objects.get(name="Port emergencies")
    assert permissions.can_coordinate(muni_supervisor, group)
    assert permissions.can_view(world.member_worker, group)
    assert not permissions.can_view(world.coordinator, group)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Testville coordination"}, "name"),
        ({"name": ""}, "name"),
        ({"convening_organisation": 999999}, "convening_organisation"),
        ({"members": [999999]}, "members"),
        ({"time_zone": "Nowhere/City"}, "time_zone"),
    ],
)
def test_bad_groups_are_refused_with_the_field(world, body, field):
    supervisor = member(world.municipality, "supervisor", username="muni.supervisor")
    data = {"name": "Port", "convening_organisation": world.municipality.pk, **body}

    response = api(supervisor).post("/api/v1/coordination-groups/", data, format="json")

    assert response.status_code == 400, response.data
    assert field in response.data


def test_changing_the_members_moves_the_grants(world):
    group = world.group
    assert permissions.can_view(world.member_worker, group)
    assert not permissions.can_broadcast(world.member_worker, group)
    assert permissions.can_broadcast(world.member_supervisor, group)

    services.group_update(
        group_id=group.pk, actor=world.coordinator, members=[world.office, world.outside]
    )
    permissions.forget(group)

    assert not permissions.can_view(world.member_worker, group)
    assert not permissions.can_broadcast(world.member_supervisor, group)
    assert permissions.can_view(world.outsider, group)
    # The convening organisation always stays.
    assert set(group.members.all()) == {world.municipality, world.office, world.outside}


def test_changing_the_coordinators_moves_their_grant(world):
    group = world.group

    services.group_set_coordinators(group=group, coordinators=[world.muni_worker])

    assert permissions.can_coordinate(world.muni_worker, group)
    assert not permissions.can_coordinate(world.coordinator, group)
    assert permissions.can_view(world.coordinator, group)  # still staff of a member


def test_coordinators_edit_the_group_page(world):
    response = browser(world.coordinator).post(
        f"/coordination/groups/{world.group.pk}/edit/",
        {
            "name": "Testville coordination",
            "description": "Every month",
            "time_zone": "Europe/Paris",
            "members": [world.cso.pk, world.office.pk],
        },
    )

    assert response.status_code == 302
    world.group.refresh_from_db()
    assert (world.group.time_zone, world.group.description) == ("Europe/Paris", "Every month")
    with pytest.raises(NotAllowed):
        services.group_update(group_id=world.group.pk, actor=world.member_worker, name="Mine")


def test_a_plan_with_each_organisations_role(world):
    plan = services.plan_create(
        actor=world.coordinator,
        group=world.group,
        title="Influx at the port",
        scenario="200 people in 48 hours",
        roles={world.cso.pk: ("Food and water", "+216 1"), world.office.pk: ("Children", "")},
    )

    assert plan.last_reviewed_on == datetime.date(2026, 3, 2)
    assert not plan.needs_review
    assert {(r.organisation.name, r.role) for r in plan.roles.all()} == {
        ("Helping Hands", "Food and water"),
        ("Migration Office", "Children"),
    }
    services.plan_update(
        plan_id=plan.pk,
        actor=world.coordinator,
        roles={world.cso.pk: ("", ""), world.municipality.pk: ("Shelter", "")},
    )
    assert set(PlanRole.objects.values_list("organisation__name", flat=True)) == {
        "Migration Office",
        "City of Testville",
    }
    with pytest.raises(ValidationFailed):
        services.plan_update(
            plan_id=plan.pk, actor=world.coordinator, roles={world.outside.pk: ("x", "")}
        )
    with pytest.raises(NotAllowed):
        services.plan_mark_reviewed(plan_id=plan.pk, actor=world.member_supervisor)


def test_a_plan_is_flagged_for_review_after_twelve_months(world, at):
    plan = services.plan_create(
        actor=world.coordinator,
        group=world.group,
        title="Influx",
        scenario="Many arrive",
        last_reviewed_on=datetime.date(2025, 3, 3),
    )

    assert not plan.needs_review  # twelve months minus a day
    with at(datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC)):
        assert plan.needs_review
        page = browser(world.member_worker).get(f"/coordination/plans/{plan.pk}/")
        group_page = browser(world.member_worker).get(f"/coordination/groups/{world.group.pk}/")
        reviewed = services.plan_mark_reviewed(plan_id=plan.pk, actor=world.coordinator)

    assert "review due" in page.content.decode()
    assert "review due" in group_page.content.decode()
    assert reviewed.last_reviewed_on == datetime.date(2026, 3, 3)
    assert not reviewed.needs_review


def test_the_plan_form_lists_every_member_organisation(world):
    client = browser(world.coordinator)

    form = client.get(f"/coordination/groups/{world.group.pk}/plans/new/")
    saved = client.post(
        f"/coordination/groups/{world.group.pk}/plans/new/",
        {
            "title": "Flood",
            "scenario": "The river rises",
            "last_reviewed_on": "2026-03-01",
            f"role_{world.cso.pk}": "Sandbags",
            f"contact_{world.cso.pk}": "+216 2",
        },
    )

    assert [o.name for o, _role, _contact in form.context["form"].role_rows()] == [
        "City of Testville",
        "Helping Hands",
        "Migration Office",
    ]
    assert saved.status_code == 302
    detail = client.get(saved["Location"]).content.decode()
    assert "Sandbags" in detail
    assert "+216 2" in detail


# The API ---------------------------------------------------------------------------------------


def test_coordinators_change_the_group_through_the_api(world):
    url = f"/api/v1/coordination-groups/{world.group.pk}/"
    body = {"description": "Weekly in winter", "members": [world.cso.pk, world.outside.pk]}
    assert api(world.member_supervisor).patch(url, body, format="json").status_code == 403
    assert api(world.outsider).patch(url, body, format="json").status_code == 404
    bad = api(world.coordinator).patch(url, {"time_zone": "Mars/Olympus"}, format="json")
    assert bad.status_code == 400
    assert "time_zone" in bad.data

    changed = api(world.coordinator).patch(url, body, format="json")

    assert changed.status_code == 200, changed.data
    assert changed.data["description"] == "Weekly in winter"
    assert set(changed.data["members"]) >= {world.cso.pk, world.outside.pk}
    assert permissions.can_view(world.outsider, world.group)  # the new member's staff see it


def test_plans_through_the_api_as_on_the_web(world):
    body = {
        "group": world.group.pk,
        "title": "Boat arrival",
        "scenario": "More than 100 people at night",
        "roles": [{"organisation": world.cso.pk, "role": "Blankets", "contact": "+216 1"}],
    }
    assert (
        api(world.member_worker).post("/api/v1/contingency-plans/", body, format="json").status_code
        == 403
    )
    assert (
        api(world.coordinator)
        .post(
            "/api/v1/contingency-plans/",
            {**body, "roles": [{"organisation": world.outside.pk, "role": "x"}]},
            format="json",
        )
        .status_code
        == 400
    )

    created = api(world.coordinator).post("/api/v1/contingency-plans/", body, format="json")

    assert created.status_code == 201, created.data
    assert created.data["roles"] == [
        {"organisation": world.cso.pk, "role": "Blankets", "contact": "+216 1"}
    ]
    url = f"/api/v1/contingency-plans/{created.data['id']}/"
    assert api(world.member_worker).get(url).status_code == 200
    assert api(world.outsider).get(url).status_code == 404
    assert api(world.outsider).patch(url, {"title": "x"}, format="json").status_code == 404
    assert api(world.member_worker).patch(url, {"title": "x"}, format="json").status_code == 403
    changed = api(world.coordinator).patch(
        url, {"roles": [{"organisation": world.cso.pk, "role": ""}]}, format="json"
    )
    assert changed.status_code == 200, changed.data
    assert changed.data["roles"] == []
    assert not PlanRole.objects.exists()
    reviewed = api(world.coordinator).post(f"{url}reviewed/")
    assert reviewed.status_code == 200
    assert reviewed.data["last_reviewed_on"] == datetime.date(2026, 3, 2).isoformat()
