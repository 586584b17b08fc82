"""List endpoints cost the same number of queries whatever the number of rows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals import permissions, services
from referrals.models import State
from tests.referrals.conftest import client_for

# A generous ceiling: the point is that it does not grow with the rows.
MAX_QUERIES = 8  # issue 13: every API list, whatever its length


def queries_for(user, url: str) -> tuple[int, int]:
    client = client_for(user)
    client.get(url)  # warm caches that live for the process (content types, permissions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.data
    return len(captured), len(response.data["results"])


def add_referrals(world, case, count: int, *, categories=("food", "health", "legal_aid")):
    for index in range(count):
        referral = services.referral_create(
            actor=world.sender_worker,
            case=case,
            to_organisation=world.receiver,
            service_category=categories[index % len(categories)],
            urgency=("emergency", "high", "normal")[index % 3],
            reason="Needs help",
        )
        services.referral_submit(referral_id=referral.pk, actor=world.sender_worker)
        if index % 4 == 1:
            services.referral_accept(referral_id=referral.pk, actor=world.receiver_worker)
        elif index % 4 == 2:
            services.referral_withdraw(
                referral_id=referral.pk, actor=world.sender_worker, reason="x"
            )


REFERRAL_LISTS = [
    ("receiver_worker", "/api/v1/referrals/?box=inbox"),
    ("sender_worker", "/api/v1/referrals/?box=outbox"),
    ("receiver_supervisor", "/api/v1/referrals/"),
    ("receiver_supervisor", "/api/v1/referrals/?box=inbox&overdue=false&urgency=high"),
]


def test_referral_lists_do_not_grow_with_the_rows(world):
    case = world.case()
    add_referrals(world, case, 5)
    few = {url: queries_for(getattr(world, persona), url) for persona, url in REFERRAL_LISTS}

    add_referrals(world, case, 55)
    many = {url: queries_for(getattr(world, persona), url) for persona, url in REFERRAL_LISTS}

    for _, url in REFERRAL_LISTS:
        (few_queries, few_rows), (many_queries, many_rows) = few[url], many[url]
        assert many_rows > few_rows > 0, url
        assert many_queries == few_queries, url
        assert few_queries <= MAX_QUERIES, url
    # The rows of a long page are whole: names, states and flags come with the page.
    rows = client_for(world.sender_worker).get("/api/v1/referrals/?page_size=200").data["results"]
    assert len(rows) == 60
    assert {row["to_organisation_name"] for row in rows} == {world.receiver.name}
    assert {row["state"] for row in rows} == {State.SUBMITTED, State.ACCEPTED, State.WITHDRAWN}
    assert all(row["case"] == case.pk for row in rows)


def test_the_moderation_box_does_not_grow_with_the_rows(world):
    case = world.case(actor=world.unverified_worker)

    def add(count):
        for _ in range(count):
            referral = services.referral_create(
                actor=world.unverified_worker,
                case=case,
                to_organisation=world.receiver,
                service_category="food",
                reason="Needs help",
            )
            services.referral_submit(referral_id=referral.pk, actor=world.unverified_worker)

    add(5)
    few, shown_few = queries_for(world.coordinator, "/api/v1/referrals/?box=moderation")
    add(55)
    many, shown_many = queries_for(world.coordinator, "/api/v1/referrals/?box=moderation")

    assert (shown_few, shown_many) == (5, 50)
    assert many == few <= MAX_QUERIES


def test_the_case_list_does_not_grow_with_the_rows(world):
    def add(count):
        for _ in range(count):
            case = services.case_create(
                actor=world.sender_worker, organisation=world.sender, given_name="A"
            )
            services.consent_record(
                case=case, actor=world.sender_worker, recipient=world.receiver, fields=["sex"]
            )
            services.consent_record(
                case=case, actor=world.sender_worker, recipient=world.third, fields=["notes"]
            )

    add(5)
    few, shown_few = queries_for(world.sender_worker, "/api/v1/cases/")
    add(55)
    many, shown_many = queries_for(world.sender_worker, "/api/v1/cases/")

    assert (shown_few, shown_many) == (5, 50)
    assert many == few <= MAX_QUERIES


def test_a_transition_reads_the_actor_s_rights_once_and_names_their_side(world):
    """The API's visibility check is the view grant alone, and the event's side is read with
    the rights the actor acted with, not read again after the transition (issue 13: three
    reads of the same rights per transition)."""
    referral = world.referral(State.ACCEPTED)
    api = client_for(world.receiver_worker)

    with CaptureQueriesContext(connection) as captured:
        response = api.post(
            f"/api/v1/referrals/{referral.pk}/hold/",
            {"expected_date": "2031-01-15", "comment": "Waiting list."},
            format="json",
        )

    assert response.status_code == 200
    rights = [
        q["sql"]
        for q in captured.captured_queries
        if '"auth_permission"' in q["sql"] and '"content_object_id" AS' not in q["sql"]
    ]  # the actor's rights on it (not the answer's question: which referrals share data)
    assert len(rights) == 2  # outside the lock, then under it
    event = referral.events.get(name="put_on_hold")
    assert event.actor_organisation == world.receiver


def test_who_may_see_a_referral_by_its_id(world):
    pending = world.referral(State.PENDING_MODERATION, actor=world.unverified_worker)
    submitted = world.referral(State.SUBMITTED)

    with CaptureQueriesContext(connection) as captured:
        assert permissions.can_see_id(world.receiver_worker, submitted.pk)
    assert len(captured) == 1
    assert not permissions.can_see_id(world.third_worker, submitted.pk)
    assert permissions.can_see_id(world.coordinator, pending.pk)  # moderates it
    assert not permissions.can_see_id(world.coordinator, submitted.pk)
    assert not permissions.can_see_id(world.receiver_worker, 10**9)
    world.receiver_worker.is_active = False
    assert not permissions.can_see_id(world.receiver_worker, submitted.pk)
