"""Action items: who owns them, who may update what, and "my action items" across groups."""

from __future__ import annotations

import datetime

import pytest

from coordination import selectors, services
from coordination.exceptions import NotAllowed, NotVisible, ValidationFailed
from coordination.models import ActionItem
from notifications.models import Notification
from tests.coordination.conftest import api, browser, written
from tests.factories import member

UTC = datetime.UTC
MARCH_3 = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
DUE = datetime.date(2026, 3, 20)


def create(world, meeting, **options) -> ActionItem:
    values = {"title": "List shelter places", "due_on": DUE, **options}
    return services.action_item_create(
        actor=world.coordinator, meeting_id=meeting.pk, original_start=MARCH_3, **values
    )


def test_the_owner_organisation_is_told(world):
    meeting = world.meeting()
    colleague_admin = member(world.cso, "admin", username="cso.admin")

    item = create(world, meeting, owner_organisation=world.cso)

    assert item.group == world.group
    assert item.occurrence.original_start == MARCH_3
    written()
    told = set(
        Notification.objects.filter(kind="coordination.action").values_list(
            "recipient__username", flat=True
        )
    )
    # The supervisors of the organisation (its caseworkers and admins only when it has none).
    assert told == {"member.supervisor"}
    assert colleague_admin.username not in told


def test_a_person_named_is_told_and_may_update(world):
    meeting = world.meeting()

    item = create(world, meeting, owner_user=world.muni_worker)
    updated = services.action_item_update(
        action_item_id=item.pk, actor=world.muni_worker, status="in_progress", progress_note="Half"
    )

    written()
    assert Notification.objects.get(kind="coordination.action").recipient == world.muni_worker
    assert (updated.status, updated.progress_note) == ("in_progress", "Half")


def test_staff_of_the_owner_update_the_status_and_the_note_only(world):
    meeting = world.meeting()
    item = create(world, meeting, owner_organisation=world.cso)

    done = services.action_item_update(
        action_item_id=item.pk, actor=world.member_worker, status="done"
    )
    assert done.status == "done"
    assert done.completed_at is not None

    with pytest.raises(NotAllowed):
        services.action_item_update(action_item_id=item.pk, actor=world.member_worker, title="X")
    with pytest.raises(NotAllowed):
        services.action_item_update(
            action_item_id=item.pk, actor=world.member_worker, due_on=datetime.date(2026, 4, 1)
        )
    reopened = services.action_item_update(
        action_item_id=item.pk, actor=world.member_supervisor, status="open"
    )
    assert reopened.completed_at is None


def test_other_members_see_but_may_not_update_and_outsiders_do_not_see(world):
    meeting = world.meeting()
    item = create(world, meeting, owner_organisation=world.municipality)

    with pytest.raises(NotAllowed):
        services.action_item_update(
            action_item_id=item.pk, actor=world.member_worker, status="done"
        )
    with pytest.raises(NotVisible):
        services.action_item_update(action_item_id=item.pk, actor=world.outsider, status="done")
    with pytest.raises(NotVisible):
        services.action_item_update(action_item_id=item.pk, actor=world.former, status="done")


def test_coordinators_change_anything_and_a_new_owner_is_told(world):
    meeting = world.meeting()
    item = create(world, meeting, owner_organisation=world.cso)
    written()
    before = Notification.objects.count()

    changed = services.action_item_update(
        action_item_id=item.pk,
        actor=world.coordinator,
        title="List every shelter place",
        owner_organisation=world.municipality,
        owner_user=world.muni_worker,
        due_on=datetime.date(2026, 3, 27),
    )

    assert changed.title == "List every shelter place"
    assert changed.owner_user == world.muni_worker
    written()
    new = Notification.objects.order_by("-id")[: Notification.objects.count() - before]
    assert [n.recipient for n in new] == [world.muni_worker]


@pytest.mark.parametrize(
    ("owner", "field"),
    [
        ({}, "owner_organisation"),
        ({"owner_organisation": "outside"}, "owner_organisation"),
        ({"owner_user": "outsider"}, "owner_user"),
        ({"owner_organisation": "cso", "owner_user": "muni_worker"}, "owner_user"),
    ],
)
def test_the_owner_must_take_part_in_the_group(world, owner, field):
    meeting = world.meeting()
    options = {key: getattr(world, value) for key, value in owner.items()}

    with pytest.raises(ValidationFailed) as refused:
        create(world, meeting, **options)

    assert refused.value.field == field
    assert not ActionItem.objects.exists()


def test_the_due_date_cannot_be_before_the_meeting(world):
    meeting = world.meeting()

    with pytest.raises(ValidationFailed) as refused:
        create(world, meeting, owner_organisation=world.cso, due_on=datetime.date(2026, 3, 1))

    assert refused.value.field == "due_on"


def test_a_coordinator_is_a_possible_owner(world):
    meeting = world.meeting()

    item = create(world, meeting, owner_user=world.coordinator)

    assert item.owner_user == world.coordinator


def test_my_action_items_span_groups(world):
    meeting = world.meeting()
    mine = create(world, meeting, owner_organisation=world.cso)
    named = create(world, meeting, owner_user=world.member_worker, title="Call the port")
    create(world, meeting, owner_organisation=world.municipality, title="Not mine")
    # The CSO joins another group too; its items there are the worker's as well.
    other_coordinator = world.other_group.coordinators.get()
    services.group_update(
        group_id=world.other_group.pk,
        actor=other_coordinator,
        members=[world.outside, world.cso],
    )
    other_meeting = world.meeting(group=world.other_group, actor=other_coordinator)
    elsewhere = services.action_item_create(
        actor=other_coordinator,
        meeting_id=other_meeting.pk,
        original_start=MARCH_3,
        title="Translate the leaflet",
        owner_organisation=world.cso,
        due_on=DUE,
    )
    done = create(world, meeting, owner_organisation=world.cso, title="Done already")
    services.action_item_update(action_item_id=done.pk, actor=world.member_worker, status="done")

    open_items = set(selectors.action_items_of(world.member_worker).values_list("pk", flat=True))
    every = set(
        selectors.action_items_of(world.member_worker, include_closed=True).values_list(
            "pk", flat=True
        )
    )
    page = browser(world.member_worker).get("/coordination/actions/")
    response = api(world.member_worker).get("/api/v1/action-items/?mine=true")

    assert open_items == {mine.pk, named.pk, elsewhere.pk}
    assert every == open_items | {done.pk}
    assert page.status_code == 200
    assert [i.pk for i in page.context["items"]] == [mine.pk, named.pk, elsewhere.pk]
    assert "Translate the leaflet" in page.content.decode()
    assert "Not mine" not in page.content.decode()
    assert {row["id"] for row in response.data["results"]} == every
    assert all(row["can_edit"] for row in response.data["results"])


def test_the_api_creates_and_patches(world):
    meeting = world.meeting()
    client = api(world.coordinator)

    created = client.post(
        "/api/v1/action-items/",
        {
            "meeting": meeting.pk,
            "sitting": "2026-03-03T10:00:00+01:00",
            "title": "Call the port",
            "owner_organisation": world.cso.pk,
            "due_on": "2026-03-31",
        },
        format="json",
    )
    patched = api(world.member_worker).patch(
        f"/api/v1/action-items/{created.data['id']}/",
        {"status": "in_progress", "progress_note": "Called once"},
        format="json",
    )

    assert created.status_code == 201, created.data
    assert created.data["meeting"] == meeting.pk
    assert created.data["owner_organisation_name"] == "Helping Hands"
    assert patched.status_code == 200, patched.data
    assert (patched.data["status"], patched.data["progress_note"]) == ("in_progress", "Called once")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_on": "soon"}, "due_on"),
        ({"owner_organisation": None}, "owner_organisation"),
        ({"owner_organisation": 999999}, "owner_organisation"),
        ({"meeting": 999999}, "meeting"),
        ({"sitting": "2026-03-04T10:00:00+01:00"}, "sitting"),  # not a sitting: a field error
        ({"title": ""}, "title"),
        ({"due_on": "2026-02-01"}, "due_on"),
    ],
)
def test_the_api_answers_bad_input_with_the_field(world, body, field):
    meeting = world.meeting()
    data = {
        "meeting": meeting.pk,
        "title": "Call the port",
        "owner_organisation": world.cso.pk,
        "due_on": "2026-03-31",
        **body,
    }

    response = api(world.coordinator).post("/api/v1/action-items/", data, format="json")

    assert response.status_code == 400, response.data
    assert field in response.data
    assert not ActionItem.objects.exists()  # nothing half-written


def test_the_api_refuses_a_bad_status(world):
    meeting = world.meeting()
    item = create(world, meeting, owner_organisation=world.cso)

    response = api(world.member_worker).patch(
        f"/api/v1/action-items/{item.pk}/", {"status": "finished"}, format="json"
    )
    put = api(world.coordinator).put(f"/api/v1/action-items/{item.pk}/", {}, format="json")

    assert response.status_code == 400
    assert "status" in response.data
    assert put.status_code == 405
