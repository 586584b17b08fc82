"""Every transition through ``POST /api/v1/referrals/{id}/{transition}/``: who may fire it, from
which state, with which body; and the automatic acknowledgement on the receiver's first read."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from referrals.models import EventName, Referral, ReferralEvent, State
from tests.referrals.conftest import client_for, get, post, token_client

DAY = datetime.timedelta(days=1)


def url(referral: Referral, transition: str) -> str:
    return f"/api/v1/referrals/{referral.pk}/{transition}/"


def future(days: int = 7) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


EVENT_OF = {
    "submit": EventName.SUBMITTED,
    "approve": EventName.APPROVED,
    "reject": EventName.REJECTED,
    "accept": EventName.ACCEPTED,
    "decline": EventName.DECLINED,
    "start": EventName.STARTED,
    "hold": EventName.PUT_ON_HOLD,
    "resume": EventName.RESUMED,
    "complete": EventName.COMPLETED,
    "withdraw": EventName.WITHDRAWN,
}

COMPLETE = {"outcome": "provided", "note": "A bed for two weeks"}

TARGET = {
    "submit": State.SUBMITTED,
    "approve": State.SUBMITTED,
    "reject": State.REJECTED,
    "accept": State.ACCEPTED,
    "decline": State.DECLINED,
    "start": State.IN_PROGRESS,
    "hold": State.ON_HOLD,
    "resume": State.IN_PROGRESS,
    "complete": State.COMPLETED,
    "withdraw": State.WITHDRAWN,
}

# (transition, source state, actor, body). Moderation fires on referrals from the
# unverified organisation; everything else on referrals from the sender to the receiver, where
# accepted referrals are assigned to receiver_worker.
ALLOWED = [
    ("submit", State.DRAFT, "sender_worker", {}),
    ("submit", State.DRAFT, "sender_supervisor", {"comment": "urgent"}),
    ("approve", State.PENDING_MODERATION, "coordinator", {"note": "ok"}),
    ("reject", State.PENDING_MODERATION, "coordinator", {"reason": "Spam"}),
    ("accept", State.SUBMITTED, "receiver_worker", {}),
    ("accept", State.ACKNOWLEDGED, "receiver_worker2", {}),
    ("accept", State.SUBMITTED, "receiver_supervisor", {}),
    ("decline", State.SUBMITTED, "receiver_worker", {"reason": "no_capacity", "note": "Full"}),
    (
        "decline",
        State.ACKNOWLEDGED,
        "receiver_supervisor",
        {"reason": "other", "note": "Closed for works"},
    ),
    ("start", State.ACCEPTED, "receiver_worker", {}),
    ("start", State.ACCEPTED, "receiver_supervisor", {}),
    ("hold", State.ACCEPTED, "receiver_worker", {"expected_date": "today"}),
    ("hold", State.IN_PROGRESS, "receiver_supervisor", {"expected_date": "+7"}),
    ("resume", State.ON_HOLD, "receiver_worker", {}),
    ("resume", State.ON_HOLD, "receiver_supervisor", {}),
    ("complete", State.ACCEPTED, "receiver_worker", COMPLETE),
    ("complete", State.IN_PROGRESS, "receiver_supervisor", COMPLETE),
    ("complete", State.ON_HOLD, "receiver_worker", COMPLETE),
    ("withdraw", State.DRAFT, "sender_worker", {"reason": "Mistake"}),
    ("withdraw", State.SUBMITTED, "sender_worker", {"reason": "Found a bed"}),
    ("withdraw", State.ACKNOWLEDGED, "sender_supervisor", {"reason": "Moved"}),
    ("withdraw", State.ACCEPTED, "sender_worker", {"reason": "Moved"}),
    ("withdraw", State.IN_PROGRESS, "sender_supervisor", {"reason": "Moved"}),
    ("withdraw", State.ON_HOLD, "sender_worker", {"reason": "Moved"}),
    ("withdraw", State.PENDING_MODERATION, "unverified_worker", {"reason": "x"}),
]


def _referral_in(world, state: str) -> Referral:
    if state in (State.PENDING_MODERATION, State.REJECTED):
        return world.referral(state, actor=world.unverified_worker)
    return world.referral(state)


def _body(body: dict) -> dict:
    if body.get("expected_date") == "today":
        return {**body, "expected_date": timezone.localdate().isoformat()}
    if body.get("expected_date") == "+7":
        return {**body, "expected_date": future(7)}
    return body


@pytest.mark.parametrize(
    ("transition", "source", "actor", "body"),
    ALLOWED,
    ids=[f"{t}-{s}-{a}" for t, s, a, _ in ALLOWED],
)
def test_it_lets_allowed_actors_fire_the_transition(world, transition, source, actor, body):
    target = TARGET[transition]
    referral = _referral_in(world, source)
    events_before = referral.events.count()

    response = post(getattr(world, actor), url(referral, transition), _body(body))

    assert response.status_code == 200, response.data
    assert response.data["id"] == referral.pk
    assert response.data["state"] == target
    referral.refresh_from_db()
    assert referral.state == target
    event = referral.events.order_by("-id").first()
    assert referral.events.count() == events_before + 1
    assert event.name == EVENT_OF[transition]
    assert (event.from_state, event.to_state) == (source, target)
    assert event.actor == getattr(world, actor)


# Visible to the actor, but not theirs to fire: 403.
FORBIDDEN = [
    ("accept", State.SUBMITTED, "sender_worker", {}),
    ("accept", State.ACKNOWLEDGED, "sender_supervisor", {}),
    ("decline", State.SUBMITTED, "sender_worker", {"reason": "no_capacity", "note": "Full"}),
    ("decline", State.SUBMITTED, "sender_supervisor", {"reason": "no_capacity", "note": "Full"}),
    ("start", State.ACCEPTED, "receiver_worker2", {}),
    ("start", State.ACCEPTED, "sender_worker", {}),
    ("hold", State.ACCEPTED, "receiver_worker2", {"expected_date": "+7"}),
    ("resume", State.ON_HOLD, "receiver_worker2", {}),
    ("complete", State.ACCEPTED, "receiver_worker2", COMPLETE),
    ("complete", State.IN_PROGRESS, "sender_supervisor", COMPLETE),
    ("withdraw", State.SUBMITTED, "receiver_worker", {"reason": "Not ours"}),
    ("withdraw", State.ACCEPTED, "receiver_supervisor", {"reason": "Not ours"}),
    ("approve", State.PENDING_MODERATION, "unverified_worker", {}),
    ("reject", State.PENDING_MODERATION, "unverified_worker", {"reason": "self"}),
    ("withdraw", State.PENDING_MODERATION, "coordinator", {"reason": "x"}),
]


@pytest.mark.parametrize(
    ("transition", "source", "actor", "body"),
    FORBIDDEN,
    ids=[f"{t}-{s}-{a}" for t, s, a, _ in FORBIDDEN],
)
def test_it_answers_403_to_those_who_see_but_may_not_fire(world, transition, source, actor, body):
    referral = _referral_in(world, source)
    events_before = referral.events.count()

    response = post(getattr(world, actor), url(referral, transition), _body(body))

    assert response.status_code == 403, response.data
    referral.refresh_from_db()
    assert referral.state == source
    assert referral.events.count() == events_before


# Not visible to the actor: 404, exactly like a missing referral.
INVISIBLE = [
    ("submit", State.DRAFT, "receiver_worker", {}),
    ("submit", State.DRAFT, "sender_admin", {}),
    ("accept", State.SUBMITTED, "third_worker", {}),
    ("accept", State.SUBMITTED, "coordinator", {}),
    ("accept", State.SUBMITTED, "sender_admin", {}),
    ("decline", State.SUBMITTED, "coordinator", {"reason": "no_capacity", "note": "Full"}),
    ("start", State.ACCEPTED, "third_worker", {}),
    ("complete", State.ACCEPTED, "coordinator", COMPLETE),
    ("withdraw", State.SUBMITTED, "third_worker", {"reason": "x"}),
    ("withdraw", State.SUBMITTED, "coordinator", {"reason": "x"}),
    ("approve", State.PENDING_MODERATION, "receiver_worker", {}),
    ("reject", State.PENDING_MODERATION, "third_worker", {"reason": "x"}),
    ("accept", State.PENDING_MODERATION, "receiver_supervisor", {}),
    # A user deactivated while holding the groups: a forced session still sees nothing.
    ("accept", State.SUBMITTED, "former", {}),
    ("withdraw", State.SUBMITTED, "former", {"reason": "x"}),
]


@pytest.mark.parametrize(
    ("transition", "source", "actor", "body"),
    INVISIBLE,
    ids=[f"{t}-{s}-{a}" for t, s, a, _ in INVISIBLE],
)
def test_it_answers_404_to_those_who_cannot_see_it(world, transition, source, actor, body):
    referral = _referral_in(world, source)

    response = post(getattr(world, actor), url(referral, transition), _body(body))

    assert response.status_code == 404, response.data
    referral.refresh_from_db()
    assert referral.state == source


@pytest.mark.parametrize("transition", list(EVENT_OF))
def test_it_answers_404_for_a_referral_that_does_not_exist(world, transition):
    response = post(world.receiver_supervisor, f"/api/v1/referrals/999999/{transition}/", {})
    assert response.status_code == 404


@pytest.mark.parametrize("transition", ["accept", "withdraw"])
def test_it_refuses_a_deactivated_users_token_with_401(world, transition):
    referral = world.referral(State.SUBMITTED)
    client = token_client(world.former_token)

    response = client.post(url(referral, transition), {"reason": "x"}, format="json")

    assert response.status_code == 401
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED


def test_it_refuses_anonymous_callers_with_401(world):
    referral = world.referral(State.SUBMITTED)
    assert client_for(None).post(url(referral, "accept"), {}, format="json").status_code == 401


# From the wrong source state: 409, and nothing changes.
WRONG_STATE = [
    ("submit", State.SUBMITTED, "sender_worker", {}),
    ("submit", State.WITHDRAWN, "sender_worker", {}),
    ("approve", State.SUBMITTED, "sender_worker", {}),
    ("reject", State.REJECTED, "unverified_worker", {"reason": "again"}),
    ("accept", State.DRAFT, "sender_worker", {}),
    ("accept", State.ACCEPTED, "receiver_worker2", {}),
    ("accept", State.DECLINED, "receiver_worker", {}),
    ("decline", State.ACCEPTED, "receiver_worker", {"reason": "no_capacity", "note": "Full"}),
    ("start", State.SUBMITTED, "receiver_supervisor", {}),
    ("start", State.IN_PROGRESS, "receiver_worker", {}),
    ("hold", State.SUBMITTED, "receiver_worker", {"expected_date": "+7"}),
    ("hold", State.ON_HOLD, "receiver_worker", {"expected_date": "+7"}),
    ("resume", State.ACCEPTED, "receiver_worker", {}),
    ("complete", State.SUBMITTED, "receiver_supervisor", COMPLETE),
    ("complete", State.COMPLETED, "receiver_worker", COMPLETE),
    ("withdraw", State.COMPLETED, "sender_worker", {"reason": "late"}),
    ("withdraw", State.DECLINED, "sender_worker", {"reason": "late"}),
    ("withdraw", State.EXPIRED, "sender_supervisor", {"reason": "late"}),
]


@pytest.mark.parametrize(
    ("transition", "source", "actor", "body"),
    WRONG_STATE,
    ids=[f"{t}-{s}-{a}" for t, s, a, _ in WRONG_STATE],
)
def test_it_answers_409_from_the_wrong_state(world, transition, source, actor, body):
    referral = _referral_in(world, source)
    events_before = referral.events.count()

    response = post(getattr(world, actor), url(referral, transition), _body(body))

    assert response.status_code == 409, response.data
    referral.refresh_from_db()
    assert referral.state == source
    assert referral.events.count() == events_before


# Required fields: 400 naming the field, and the referral does not move.
MISSING = [
    ("decline", State.SUBMITTED, {}, "reason"),
    ("decline", State.SUBMITTED, {"reason": "too_busy"}, "reason"),
    ("decline", State.SUBMITTED, {"reason": ""}, "reason"),
    ("decline", State.ACKNOWLEDGED, {"reason": "other"}, "note"),
    ("decline", State.ACKNOWLEDGED, {"reason": "no_capacity"}, "note"),
    ("decline", State.ACKNOWLEDGED, {"reason": "other", "note": "   "}, "note"),
    ("hold", State.ACCEPTED, {}, "expected_date"),
    ("hold", State.ACCEPTED, {"expected_date": None}, "expected_date"),
    ("hold", State.ACCEPTED, {"expected_date": "yesterday"}, "expected_date"),
    ("hold", State.IN_PROGRESS, {"expected_date": "not-a-date"}, "expected_date"),
    ("complete", State.ACCEPTED, {"note": "done"}, "outcome"),
    ("complete", State.ACCEPTED, {"outcome": "great", "note": "done"}, "outcome"),
    ("complete", State.IN_PROGRESS, {"outcome": "provided"}, "note"),
    ("complete", State.ON_HOLD, {"outcome": "provided", "note": " "}, "note"),
    ("withdraw", State.SUBMITTED, {}, "reason"),
    ("withdraw", State.ACCEPTED, {"reason": "   "}, "reason"),
]


@pytest.mark.parametrize(
    ("transition", "source", "body", "field"),
    MISSING,
    ids=[f"{t}-{s}-{i}" for i, (t, s, _, _) in enumerate(MISSING)],
)
def test_it_requires_the_fields_of_each_transition(world, transition, source, body, field):
    referral = world.referral(source)
    actor = world.sender_worker if transition == "withdraw" else world.receiver_worker
    if body.get("expected_date") == "yesterday":
        body = {"expected_date": (timezone.localdate() - DAY).isoformat()}

    response = post(actor, url(referral, transition), body)

    assert response.status_code == 400, response.data
    assert field in response.data
    referral.refresh_from_db()
    assert referral.state == source


@pytest.mark.parametrize("suggested", ["sender", "receiver", "inactive", "missing"])
def test_it_refuses_a_suggestion_that_is_not_a_third_active_organisation(world, suggested):
    referral = world.referral(State.SUBMITTED)
    if suggested == "inactive":
        world.fourth.is_active = False
        world.fourth.save(update_fields=["is_active"])
        suggested_id = world.fourth.pk
    elif suggested == "missing":
        suggested_id = 999999
    else:
        suggested_id = getattr(world, suggested).pk

    response = post(
        world.receiver_worker,
        url(referral, "decline"),
        {"reason": "no_capacity", "note": "Full", "suggested_organisation": suggested_id},
    )

    assert response.status_code == 400, response.data
    assert "suggested_organisation" in response.data
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED


def test_it_requires_a_reason_to_reject(world):
    referral = world.referral(State.PENDING_MODERATION, actor=world.unverified_worker)

    response = post(world.coordinator, url(referral, "reject"), {"reason": "  "})

    assert response.status_code == 400
    assert "reason" in response.data
    referral.refresh_from_db()
    assert referral.state == State.PENDING_MODERATION


def test_it_records_the_decline_reason_note_and_suggestion(world):
    referral = world.referral(State.SUBMITTED)

    response = post(
        world.receiver_worker,
        url(referral, "decline"),
        {"reason": "other", "note": "Only families", "suggested_organisation": world.third.pk},
    )

    assert response.status_code == 200, response.data
    assert response.data["decline_reason"] == "other"
    assert response.data["decline_note"] == "Only families"
    assert response.data["suggested_organisation"] == world.third.pk


def test_it_records_the_outcome_and_the_expected_date(world):
    referral = world.referral(State.IN_PROGRESS)
    date = future(10)

    held = post(world.receiver_worker, url(referral, "hold"), {"expected_date": date})
    assert held.data["expected_date"] == date
    resumed = post(world.receiver_worker, url(referral, "resume"), {})
    assert resumed.data["expected_date"] is None
    done = post(world.receiver_worker, url(referral, "complete"), COMPLETE)

    assert done.data["outcome"] == "provided"
    assert done.data["outcome_note"] == COMPLETE["note"]
    assert done.data["closed_at"] is not None


def test_it_records_the_withdraw_reason(world):
    referral = world.referral(State.ACCEPTED)

    response = post(world.sender_worker, url(referral, "withdraw"), {"reason": "  Moved away "})

    assert response.data["withdraw_reason"] == "Moved away"


# Accepting: the acceptor is the assignee unless a supervisor names another member.


def test_it_assigns_the_acceptor(world):
    referral = world.referral(State.SUBMITTED)

    response = post(world.receiver_worker2, url(referral, "accept"), {})

    assert response.data["assignee"] == world.receiver_worker2.pk


def test_it_lets_a_caseworker_name_themselves(world):
    referral = world.referral(State.SUBMITTED)

    response = post(
        world.receiver_worker, url(referral, "accept"), {"assignee": world.receiver_worker.pk}
    )

    assert response.status_code == 200
    assert response.data["assignee"] == world.receiver_worker.pk


def test_it_lets_a_supervisor_assign_another_member(world):
    referral = world.referral(State.ACKNOWLEDGED)

    response = post(
        world.receiver_supervisor, url(referral, "accept"), {"assignee": world.receiver_worker2.pk}
    )

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.ACCEPTED
    assert response.data["assignee"] == world.receiver_worker2.pk
    # The assignee may now start; the other caseworker may not.
    assert post(world.receiver_worker, url(referral, "start"), {}).status_code == 403
    assert post(world.receiver_worker2, url(referral, "start"), {}).status_code == 200


@pytest.mark.parametrize("assignee", ["third_worker", "sender_worker", "missing", "former"])
def test_it_refuses_an_assignee_outside_the_receiving_organisation(world, assignee):
    referral = world.referral(State.SUBMITTED)
    assignee_id = 999999 if assignee == "missing" else getattr(world, assignee).pk

    response = post(world.receiver_supervisor, url(referral, "accept"), {"assignee": assignee_id})

    assert response.status_code == 400, response.data
    assert "assignee" in response.data
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED
    assert referral.assignee is None


@pytest.mark.parametrize("assignee", ["receiver_worker2", "missing"])
@pytest.mark.parametrize("actor", ["receiver_worker", "sender_worker"])
def test_who_may_accept_is_asked_before_the_body_is_judged(world, actor, assignee):
    """A person who may not accept (or not assign) hears that, whatever assignee they name: an
    unknown person is no reason for a 400 the act itself would not get."""
    referral = world.referral(State.SUBMITTED)
    assignee_id = 999999 if assignee == "missing" else getattr(world, assignee).pk

    response = post(getattr(world, actor), url(referral, "accept"), {"assignee": assignee_id})

    assert response.status_code == 403, response.data
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED


def test_it_forbids_a_caseworker_to_assign_someone_else(world):
    referral = world.referral(State.SUBMITTED)

    response = post(
        world.receiver_worker, url(referral, "accept"), {"assignee": world.receiver_worker2.pk}
    )

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED
    assert referral.assignee is None


def test_it_lets_the_receiving_supervisor_start_and_complete_regardless_of_assignee(world):
    referral = world.referral(State.ACCEPTED)
    assert referral.assignee == world.receiver_worker

    started = post(world.receiver_supervisor, url(referral, "start"), {})
    done = post(world.receiver_supervisor, url(referral, "complete"), COMPLETE)

    assert started.data["state"] == State.IN_PROGRESS
    assert done.data["state"] == State.COMPLETED
    assert done.data["assignee"] == world.receiver_worker.pk


def test_it_ends_the_receivers_actions_once_closed(world):
    referral = world.referral(State.COMPLETED)

    # Still visible (409 from the state), and a reopened path would be refused anyway.
    assert get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/").status_code == 200
    assert post(world.receiver_supervisor, url(referral, "accept"), {}).status_code == 409


# Acknowledgement: automatic on the receiver's first read.


def _acknowledged_events(referral: Referral) -> int:
    return ReferralEvent.objects.filter(referral=referral, name=EventName.ACKNOWLEDGED).count()


def test_it_acknowledges_when_a_receiver_first_opens_it(world):
    referral = world.referral(State.SUBMITTED)

    first = get(world.receiver_worker2, f"/api/v1/referrals/{referral.pk}/")

    assert first.status_code == 200
    assert first.data["state"] == State.ACKNOWLEDGED
    assert first.data["acknowledged_at"] is not None
    event = ReferralEvent.objects.get(referral=referral, name=EventName.ACKNOWLEDGED)
    assert (event.from_state, event.to_state) == (State.SUBMITTED, State.ACKNOWLEDGED)
    assert event.actor == world.receiver_worker2
    assert event.actor_organisation == world.receiver

    again = get(world.receiver_worker2, f"/api/v1/referrals/{referral.pk}/")
    other = get(world.receiver_supervisor, f"/api/v1/referrals/{referral.pk}/")

    assert again.data["state"] == other.data["state"] == State.ACKNOWLEDGED
    assert again.data["acknowledged_at"] == first.data["acknowledged_at"]
    assert _acknowledged_events(referral) == 1


def test_it_does_not_acknowledge_when_the_sender_opens_it(world):
    referral = world.referral(State.SUBMITTED)

    for user in (world.sender_worker, world.sender_supervisor):
        response = get(user, f"/api/v1/referrals/{referral.pk}/")
        assert response.status_code == 200
        assert response.data["state"] == State.SUBMITTED

    assert _acknowledged_events(referral) == 0
    referral.refresh_from_db()
    assert referral.acknowledged_at is None


def test_it_does_not_acknowledge_through_the_list_or_the_events(world):
    referral = world.referral(State.SUBMITTED)

    get(world.receiver_worker, "/api/v1/referrals/?box=inbox")
    get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/events/")

    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED


def test_it_does_not_acknowledge_when_an_outsider_probes_it(world):
    referral = world.referral(State.SUBMITTED)

    for user in (world.third_worker, world.coordinator, world.sender_admin, world.former):
        assert get(user, f"/api/v1/referrals/{referral.pk}/").status_code == 404

    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED


@pytest.mark.parametrize("assignee", ["missing", "outsider"])
def test_an_unknown_assignee_and_a_non_member_get_the_same_answer(world, assignee):
    referral = world.referral(State.ACKNOWLEDGED)
    assignee_id = 999_999 if assignee == "missing" else world.third_worker.pk

    response = post(
        world.receiver_supervisor,
        f"/api/v1/referrals/{referral.pk}/accept/",
        {"assignee": assignee_id},
    )

    assert response.status_code == 400
    assert response.data == {
        "assignee": ["The assignee must be a member of the receiving organisation."]
    }


def test_the_api_assigns_as_the_web_does(world):
    referral = world.referral(State.ACCEPTED)  # assigned to receiver_worker
    url = f"/api/v1/referrals/{referral.pk}/assign/"
    target = {"assignee": world.receiver_worker2.pk}

    assert post(world.receiver_worker, url, target).status_code == 403
    assert post(world.sender_supervisor, url, target).status_code == 403
    assert post(world.third_worker, url, target).status_code == 404
    outsider = post(world.receiver_supervisor, url, {"assignee": world.third_worker.pk})
    assert outsider.status_code == 400
    assert "assignee" in outsider.data
    assert post(world.receiver_supervisor, url, {}).status_code == 400
    referral.refresh_from_db()
    assert referral.assignee == world.receiver_worker  # nothing changed so far

    response = post(world.receiver_supervisor, url, target)

    assert response.status_code == 200, response.data
    assert response.data["assignee"] == world.receiver_worker2.pk
    submitted = world.referral(State.SUBMITTED)
    late = post(world.receiver_supervisor, f"/api/v1/referrals/{submitted.pk}/assign/", target)
    assert late.status_code == 409
