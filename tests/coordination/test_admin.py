"""Platform admins set up groups in the admin site; the grants follow what they save there."""

from __future__ import annotations

import datetime

from django.test import Client

from coordination import permissions, selectors
from coordination.models import Meeting
from tests.factories import UserFactory


def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_saving_a_group_in_the_admin_moves_the_grants(world):
    client = admin_client()
    group = world.group

    response = client.post(
        f"/admin/coordination/coordinationgroup/{group.pk}/change/",
        {
            "name": group.name,
            "description": "",
            "convening_organisation": world.municipality.pk,
            "members": [world.municipality.pk, world.outside.pk],
            "coordinators": [world.muni_worker.pk],
            "time_zone": "Africa/Tunis",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    permissions.forget(group)
    assert permissions.can_coordinate(world.muni_worker, group)
    assert not permissions.can_coordinate(world.coordinator, group)
    assert permissions.can_view(world.outsider, group)
    assert not permissions.can_view(world.member_worker, group)


def test_the_admin_pages_open_and_refuse_a_bad_rule(world):
    meeting = world.meeting()
    client = admin_client()

    for url in [
        "/admin/coordination/coordinationgroup/",
        "/admin/coordination/meeting/",
        f"/admin/coordination/meeting/{meeting.pk}/change/",
        "/admin/coordination/meeting/add/",
        "/admin/coordination/actionitem/",
        "/admin/coordination/alert/",
        "/admin/coordination/contingencyplan/",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/coordination/meeting/add/",
        {
            "group": world.group.pk,
            "title": "Bad",
            "start_date": "2026-03-03",
            "start_time": "10:00",
            "time_zone": "Africa/Tunis",
            "duration_minutes": "60",
            "rrule": "FREQ=WEEKLY;BYDAY=WE",
            "status": "scheduled",
            "occurrences-TOTAL_FORMS": "0",
            "occurrences-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "rrule" in response.context["adminform"].form.errors
    assert Meeting.objects.count() == 1


def test_open_and_overdue_counts_for_dashboards(world):
    from coordination import services

    meeting = world.meeting()
    for due in (datetime.date(2026, 3, 3), datetime.date(2026, 3, 30)):
        services.action_item_create(
            actor=world.coordinator,
            meeting_id=meeting.pk,
            original_start=datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC),
            title="Do",
            owner_organisation=world.cso,
            due_on=due,
        )

    counts = selectors.action_item_counts(world.group, today=datetime.date(2026, 3, 10))

    assert counts == {"open": 2, "overdue": 1}


def test_the_mechanism_opens_in_the_admin_and_reported_values_stay_as_reported(world):
    from tests.coordination.test_action_plans import make_plan, make_reported

    plan = make_plan(world)
    activity, indicator = make_reported(world, plan)
    report = services_report(world, indicator)
    client = admin_client()

    for url in [
        "/admin/coordination/actionplan/",
        f"/admin/coordination/actionplan/{plan.pk}/change/",
        f"/admin/coordination/activity/{activity.pk}/change/",
        f"/admin/coordination/indicator/{indicator.pk}/change/",
        "/admin/coordination/indicatorreport/",
        "/admin/coordination/termsofreference/",
        "/admin/coordination/pathway/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/coordination/indicatorreport/add/").status_code == 403
    assert (
        client.post(
            f"/admin/coordination/indicatorreport/{report.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def services_report(world, indicator):
    import datetime
    from decimal import Decimal

    from coordination import services

    return services.indicator_report(
        actor=world.member_supervisor,
        indicator_id=indicator.pk,
        period_start=datetime.date(2026, 1, 1),
        value=Decimal(4),
    )
