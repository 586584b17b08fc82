"""Every coordination route, web and API, × every persona.

Coordinators manage; staff of member organisations see, propose agenda items, update their own
organisation's action items (and supervisors broadcast alerts); everyone else gets 404, exactly
as for a missing object; signed-out and deactivated callers are sent to sign in (web) or get
401 (API). Each request runs in a savepoint that is rolled back, so every persona meets the same
world.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import transaction

from coordination import services
from coordination.models import ActionItem, AgendaItem, Alert, ContingencyPlan, Meeting
from tests.coordination.conftest import PERSONAS, World, persona_api, persona_browser

UTC = datetime.UTC
MARCH_3 = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
STAMP = "20260303T090000Z"
SIGNED_OUT = {"anonymous", "former"}
C, W, S, X = "coordinator", "member_worker", "member_supervisor", "outsider"


@dataclass
class Objects:
    meeting: Meeting
    item: AgendaItem
    ours: ActionItem  # owned by the CSO (member_worker's and member_supervisor's)
    theirs: ActionItem  # owned by the municipality
    alert: Alert
    plan: ContingencyPlan


@pytest.fixture
def objects(world: World) -> Objects:
    meeting = world.meeting()
    item = services.agenda_propose(
        meeting_id=meeting.pk, original_start=MARCH_3, actor=world.member_worker, title="Food"
    )
    due = datetime.date(2026, 3, 20)
    ours = services.action_item_create(
        actor=world.coordinator,
        meeting_id=meeting.pk,
        original_start=MARCH_3,
        title="List shelter places",
        owner_organisation=world.cso,
        due_on=due,
    )
    theirs = services.action_item_create(
        actor=world.coordinator,
        meeting_id=meeting.pk,
        original_start=MARCH_3,
        title="Open the overflow room",
        owner_organisation=world.municipality,
        due_on=due,
    )
    alert = services.alert_broadcast(
        actor=world.coordinator, group=world.group, title="Arrivals", message="Tonight"
    )
    plan = services.plan_create(
        actor=world.coordinator, group=world.group, title="Influx", scenario="Many arrive"
    )
    return Objects(meeting, item, ours, theirs, alert, plan)


def _in_savepoint(call):
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


def expected(persona: str, rule: dict[str, int], *, api: bool) -> int:
    if persona in SIGNED_OUT:
        return 401 if api else 302
    return rule[persona]


def everyone(code: int) -> dict[str, int]:
    return {C: code, W: code, S: code, X: code}


def members(code: int, *, coordinator: int | None = None, supervisor: int | None = None):
    return {
        C: code if coordinator is None else coordinator,
        W: code,
        S: code if supervisor is None else supervisor,
        X: 404,
    }


MANAGE = members(403, coordinator=200)
MANAGE_POST = members(403, coordinator=302)
SEE = members(200)


def web_get_routes(world: World, o: Objects) -> list[tuple[str, dict]]:
    g, m = world.group.pk, o.meeting.pk
    return [
        ("/coordination/", everyone(200)),
        (f"/coordination/groups/{g}/", SEE),
        (f"/coordination/groups/{g}/edit/", MANAGE),
        (f"/coordination/groups/{g}/meetings/new/", MANAGE),
        (f"/coordination/groups/{g}/alerts/new/", members(403, coordinator=200, supervisor=200)),
        (f"/coordination/groups/{g}/plans/new/", MANAGE),
        ("/coordination/meetings/", everyone(200)),
        ("/coordination/meetings/calendar/", everyone(200)),
        ("/coordination/meetings/calendar/?month=2026-04", everyone(200)),
        (f"/coordination/meetings/{m}/", SEE),
        (f"/coordination/meetings/{m}/edit/", MANAGE),
        (f"/coordination/meetings/{m}/meeting.ics", SEE),
        (f"/coordination/meetings/{m}/{STAMP}/", SEE),
        (f"/coordination/meetings/{m}/20260304T090000Z/", members(404)),  # not a sitting
        (f"/coordination/meetings/{m}/{STAMP}/move/", MANAGE),
        (f"/coordination/meetings/{m}/{STAMP}/minutes/", MANAGE),
        ("/coordination/actions/", everyone(200)),
        ("/coordination/actions/?all=1", everyone(200)),
        (f"/coordination/alerts/{o.alert.pk}/", SEE),
        (f"/coordination/plans/{o.plan.pk}/", SEE),
        (f"/coordination/plans/{o.plan.pk}/edit/", MANAGE),
        ("/coordination/calendar-feed/", everyone(200)),
        ("/coordination/meetings/999999/", members(404)),
        ("/coordination/groups/999999/", members(404)),
    ]


def web_post_routes(world: World, o: Objects) -> list[tuple[str, dict, dict]]:
    g, m, cso = world.group.pk, o.meeting.pk, world.cso.pk
    meeting_form = {
        "title": "Extra",
        "start_date": "2026-03-10",
        "start_time": "10:00",
        "duration_minutes": "60",
        "time_zone": "Africa/Tunis",
        "repeat": "none",
    }
    return [
        (
            f"/coordination/groups/{g}/edit/",
            {
                "name": "Renamed",
                "time_zone": "Africa/Tunis",
                "members": [world.municipality.pk, cso, world.office.pk],
            },
            MANAGE_POST,
        ),
        (f"/coordination/groups/{g}/meetings/new/", meeting_form, MANAGE_POST),
        (
            f"/coordination/groups/{g}/alerts/new/",
            {"title": "Fire", "message": "Shelter closed"},
            members(403, coordinator=302, supervisor=302),
        ),
        (
            f"/coordination/groups/{g}/plans/new/",
            {"title": "Flood", "scenario": "Water"},
            MANAGE_POST,
        ),
        (f"/coordination/meetings/{m}/edit/", {**meeting_form, "repeat": "monthly"}, MANAGE_POST),
        (f"/coordination/meetings/{m}/cancel/", {"confirmed": "1"}, MANAGE_POST),
        (f"/coordination/meetings/{m}/{STAMP}/cancel/", {"note": "x"}, MANAGE_POST),
        (f"/coordination/meetings/{m}/{STAMP}/reinstate/", {}, MANAGE_POST),
        (
            f"/coordination/meetings/{m}/{STAMP}/move/",
            {"date": "2026-03-04", "time": "10:00", "duration_minutes": "90"},
            MANAGE_POST,
        ),
        (f"/coordination/meetings/{m}/{STAMP}/agenda/", {"title": "Health"}, members(302)),
        (f"/coordination/meetings/{m}/{STAMP}/attendance/", {"present": [cso]}, MANAGE_POST),
        (f"/coordination/meetings/{m}/{STAMP}/minutes/", {"minutes": "# Notes"}, MANAGE_POST),
        (f"/coordination/meetings/{m}/{STAMP}/decisions/", {"text": "Agreed"}, MANAGE_POST),
        (
            f"/coordination/meetings/{m}/{STAMP}/actions/",
            {"title": "Do it", "owner_organisation": cso, "due_on": "2026-03-31"},
            MANAGE_POST,
        ),
        (f"/coordination/agenda/{o.item.pk}/accept/", {}, MANAGE_POST),
        (f"/coordination/agenda/{o.item.pk}/decline/", {}, MANAGE_POST),
        (f"/coordination/agenda/{o.item.pk}/up/", {}, MANAGE_POST),
        (f"/coordination/actions/{o.ours.pk}/", {"status": "done"}, members(302)),
        (f"/coordination/actions/{o.theirs.pk}/", {"status": "done"}, MANAGE_POST),
        (f"/coordination/alerts/{o.alert.pk}/acknowledge/", {}, members(302)),
        (
            f"/coordination/plans/{o.plan.pk}/edit/",
            {"title": "Influx", "scenario": "More"},
            MANAGE_POST,
        ),
        (f"/coordination/plans/{o.plan.pk}/reviewed/", {}, MANAGE_POST),
        ("/coordination/calendar-feed/regenerate/", {}, everyone(302)),
        ("/coordination/calendar-feed/revoke/", {}, everyone(302)),
        ("/coordination/agenda/999999/accept/", {}, members(404)),
        (f"/coordination/agenda/{o.item.pk}/delete/", {}, members(404)),
    ]


def _check(response, persona: str, want: int, problems: list[str], label: str) -> None:
    got = response.status_code
    if got != want:
        problems.append(f"{label} as {persona}: {got} != {want}")
    elif got == 302:
        to_login = response["Location"].startswith("/accounts/login/")
        if to_login != (persona in SIGNED_OUT):
            problems.append(f"{label} as {persona}: redirected to {response['Location']}")


def test_web_pages(world, objects):
    problems: list[str] = []
    for url, rule in web_get_routes(world, objects):
        for persona in PERSONAS:
            client = persona_browser(world, persona)
            response = _in_savepoint(lambda client=client, url=url: client.get(url))
            _check(response, persona, expected(persona, rule, api=False), problems, f"GET {url}")
    assert problems == []


def test_web_actions(world, objects):
    problems: list[str] = []
    for url, data, rule in web_post_routes(world, objects):
        for persona in PERSONAS:
            client = persona_browser(world, persona)
            response = _in_savepoint(
                lambda client=client, url=url, data=data: client.post(url, data)
            )
            _check(response, persona, expected(persona, rule, api=False), problems, f"POST {url}")
    assert problems == []


def api_routes(world: World, o: Objects) -> list[tuple[str, str, dict, dict]]:
    g, m = world.group.pk, o.meeting.pk
    new_meeting = {"group": g, "title": "Extra", "start": "2026-03-10T10:00"}
    new_item = {
        "meeting": m,
        "title": "Call the port",
        "owner_organisation": world.cso.pk,
        "due_on": "2026-03-31",
    }
    return [
        ("get", "/api/v1/coordination-groups/", {}, everyone(200)),
        (
            "post",
            "/api/v1/coordination-groups/",
            {"name": "Another", "convening_organisation": world.municipality.pk},
            everyone(403),  # none of them is a supervisor or admin of the municipality
        ),
        ("get", f"/api/v1/coordination-groups/{g}/", {}, SEE),
        ("get", "/api/v1/coordination-groups/999999/", {}, members(404)),
        ("get", "/api/v1/meetings/", {}, everyone(200)),
        ("get", "/api/v1/meetings/?upcoming=true", {}, everyone(200)),
        ("post", "/api/v1/meetings/", new_meeting, {C: 201, W: 403, S: 403, X: 400}),
        ("get", f"/api/v1/meetings/{m}/", {}, SEE),
        ("get", f"/api/v1/meetings/{m}/ics/", {}, SEE),
        ("get", "/api/v1/meetings/abc/", {}, members(404)),
        ("get", "/api/v1/action-items/", {}, everyone(200)),
        ("get", "/api/v1/action-items/?mine=true", {}, everyone(200)),
        ("post", "/api/v1/action-items/", new_item, {C: 201, W: 403, S: 403, X: 400}),
        ("get", f"/api/v1/action-items/{o.ours.pk}/", {}, SEE),
        ("patch", f"/api/v1/action-items/{o.ours.pk}/", {"status": "done"}, members(200)),
        (
            "patch",
            f"/api/v1/action-items/{o.ours.pk}/",
            {"title": "Renamed"},
            members(403, coordinator=200),
        ),
        (
            "patch",
            f"/api/v1/action-items/{o.theirs.pk}/",
            {"status": "done"},
            members(403, coordinator=200),
        ),
        ("patch", "/api/v1/action-items/999999/", {"status": "done"}, members(404)),
        ("patch", "/api/v1/action-items/x/", {"status": "done"}, members(404)),
    ]


def test_api_routes(world, objects):
    problems: list[str] = []
    for method, url, body, rule in api_routes(world, objects):
        for persona in PERSONAS:
            client = persona_api(world, persona)
            response = _in_savepoint(
                lambda client=client, method=method, url=url, body=body: getattr(client, method)(
                    url, body, format="json"
                )
            )
            want = expected(persona, rule, api=True)
            if response.status_code != want:
                problems.append(f"{method} {url} as {persona}: {response.status_code} != {want}")
    assert problems == []


def test_lists_hold_only_what_the_persona_may_see(world, objects):
    foreign = world.meeting(group=world.other_group, actor=world.other_group.coordinators.get())
    urls = ["/api/v1/coordination-groups/", "/api/v1/meetings/", "/api/v1/action-items/"]
    seen = {
        persona: {
            url: {row["id"] for row in persona_api(world, persona).get(url).data["results"]}
            for url in urls
        }
        for persona in (C, W, S, X)
    }
    ours = {
        "/api/v1/coordination-groups/": {world.group.pk},
        "/api/v1/meetings/": {objects.meeting.pk},
        "/api/v1/action-items/": {objects.ours.pk, objects.theirs.pk},
    }

    for persona in (C, W, S):
        assert seen[persona] == ours, persona
    assert seen[X] == {
        "/api/v1/coordination-groups/": {world.other_group.pk},
        "/api/v1/meetings/": {foreign.pk},
        "/api/v1/action-items/": set(),
    }


def test_a_deactivated_membership_loses_the_group_at_once(world, objects):
    from organisations import services as organisation_services
    from tests.factories import membership_of

    organisation_services.membership_deactivate(
        membership=membership_of(world.member_worker, world.cso), actor=None
    )

    client = persona_browser(world, W)
    assert client.get(f"/coordination/groups/{world.group.pk}/").status_code == 404
    assert persona_api(world, W).get(f"/api/v1/meetings/{objects.meeting.pk}/").status_code == 404


def test_superusers_see_nothing_they_take_no_part_in(world, objects):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)

    assert persona_api(world, "anonymous").get("/api/v1/meetings/").status_code == 401
    client = persona_browser(world, "anonymous")
    client.force_login(root)
    assert client.get(f"/coordination/groups/{world.group.pk}/").status_code == 404
