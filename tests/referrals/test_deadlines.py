"""Response deadlines by urgency, the overdue flag and filter, the sweeps' ladder (reminder at
half the deadline, escalation at the deadline, expiry at twice), and the retention sweep."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from referrals import selectors, services, tasks
from referrals.models import EventName, Referral, ReferralEvent, State
from tests.referrals.conftest import get, ids, post

T0 = datetime.datetime(2030, 3, 4, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)
RESPONSE = {
    "emergency": datetime.timedelta(hours=24),
    "high": datetime.timedelta(hours=72),
    "normal": datetime.timedelta(days=14),
}


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def submitted_at_t0(world, *, urgency="normal", state=State.SUBMITTED, **options) -> Referral:
    with at(T0):
        return world.referral(state, urgency=urgency, **options)


@pytest.mark.parametrize("urgency", list(RESPONSE))
def test_the_deadline_follows_the_urgency(world, urgency):
    referral = world.draft(urgency=urgency)

    with at(T0):
        response = post(world.sender_worker, f"/api/v1/referrals/{referral.pk}/submit/")

    assert response.status_code == 200
    referral.refresh_from_db()
    response_time = RESPONSE[urgency]
    assert referral.submitted_at == T0
    assert referral.remind_at == T0 + response_time / 2
    assert referral.due_at == T0 + response_time
    assert referral.expires_at == T0 + 2 * response_time
    assert datetime.datetime.fromisoformat(response.data["due_at"]) == T0 + response_time


def test_the_clock_starts_at_approval_after_moderation(world):
    with at(T0):
        referral = world.referral(
            State.PENDING_MODERATION, actor=world.unverified_worker, urgency="high"
        )
    assert referral.due_at is None

    with at(T0 + 5 * HOUR):
        post(world.coordinator, f"/api/v1/referrals/{referral.pk}/approve/")

    referral.refresh_from_db()
    assert referral.due_at == T0 + 5 * HOUR + RESPONSE["high"]


# Overdue ---------------------------------------------------------------------------------------


@pytest.fixture
def mixed(world):
    """Emergency referrals (24 h) in every state that matters for the deadline, all at T0."""
    states = [
        State.SUBMITTED,
        State.ACKNOWLEDGED,
        State.ACCEPTED,
        State.IN_PROGRESS,
        State.DECLINED,
        State.WITHDRAWN,
    ]
    categories = ["food", "health", "legal_aid", "education", "employment", "documentation"]
    case = world.case()
    return {
        state: submitted_at_t0(world, urgency="emergency", state=state, case=case, category=cat)
        for state, cat in zip(states, categories, strict=True)
    }


def test_only_unanswered_referrals_past_their_deadline_are_overdue(world, mixed):
    with at(T0 + 23 * HOUR):
        assert not any(Referral.objects.get(pk=r.pk).is_overdue for r in mixed.values())

    with at(T0 + 24 * HOUR + SECOND):
        overdue = {state for state, r in mixed.items() if Referral.objects.get(pk=r.pk).is_overdue}
        listing = get(world.receiver_supervisor, "/api/v1/referrals/?box=inbox")

    assert overdue == {State.SUBMITTED, State.ACKNOWLEDGED}
    flagged = {row["id"] for row in listing.data["results"] if row["is_overdue"]}
    assert flagged == {mixed[State.SUBMITTED].pk, mixed[State.ACKNOWLEDGED].pk}


def test_the_overdue_filter(world, mixed):
    awaiting = {mixed[State.SUBMITTED].pk, mixed[State.ACKNOWLEDGED].pk}
    everything = {r.pk for r in mixed.values()}
    received = everything  # the receiver sees all of them (drafts aside)

    with at(T0 + HOUR):
        assert ids(get(world.receiver_worker, "/api/v1/referrals/?overdue=true")) == []
    with at(T0 + 25 * HOUR):
        overdue = ids(get(world.receiver_worker, "/api/v1/referrals/?box=inbox&overdue=true"))
        not_overdue = ids(get(world.receiver_worker, "/api/v1/referrals/?box=inbox&overdue=false"))
        sender_view = ids(get(world.sender_worker, "/api/v1/referrals/?overdue=true"))

    assert set(overdue) == awaiting
    assert set(not_overdue) == received - awaiting
    assert set(sender_view) == awaiting


def test_the_overdue_filter_combines_with_the_state(world, mixed):
    with at(T0 + 25 * HOUR):
        response = get(world.receiver_worker, "/api/v1/referrals/?overdue=true&state=acknowledged")

    assert ids(response) == [mixed[State.ACKNOWLEDGED].pk]


# The ladder ------------------------------------------------------------------------------------


def _due(selector, moment) -> set[int]:
    return set(selector(now=moment).values_list("pk", flat=True))


def test_the_ladder_reminds_escalates_and_expires_at_the_right_times(world, mixed):
    awaiting = {mixed[State.SUBMITTED].pk, mixed[State.ACKNOWLEDGED].pk}
    remind = selectors.referrals_due_for_reminder
    escalate = selectors.referrals_due_for_escalation
    expire = selectors.referrals_due_for_expiry

    before_half = T0 + 12 * HOUR - SECOND
    assert _due(remind, before_half) == _due(escalate, before_half) == set()
    half = T0 + 12 * HOUR
    assert _due(remind, half) == awaiting
    assert _due(escalate, half) == set()
    one = T0 + 24 * HOUR
    assert _due(escalate, one - SECOND) == set()
    assert _due(escalate, one) == awaiting
    assert _due(expire, one) == set()
    two = T0 + 48 * HOUR
    assert _due(expire, two - SECOND) == set()
    assert _due(expire, two) == awaiting


def test_the_ladder_claims_each_step_once(world, mixed):
    submitted = mixed[State.SUBMITTED]
    Referral.objects.filter(pk=submitted.pk).update(
        reminder_sent_at=T0 + 12 * HOUR, escalation_sent_at=T0 + 24 * HOUR
    )

    assert _due(selectors.referrals_due_for_reminder, T0 + 30 * HOUR) == {
        mixed[State.ACKNOWLEDGED].pk
    }
    assert _due(selectors.referrals_due_for_escalation, T0 + 30 * HOUR) == {
        mixed[State.ACKNOWLEDGED].pk
    }


def test_the_ladder_follows_each_urgency(world):
    case = world.case()
    by_urgency = {
        urgency: submitted_at_t0(world, urgency=urgency, case=case, category=category)
        for urgency, category in (("emergency", "food"), ("high", "health"), ("normal", "other"))
    }

    at_three_days = set(
        selectors.referrals_due_for_escalation(now=T0 + 72 * HOUR).values_list("pk", flat=True)
    )

    assert at_three_days == {by_urgency["emergency"].pk, by_urgency["high"].pk}
    assert set(
        selectors.referrals_due_for_reminder(now=T0 + 7 * 24 * HOUR).values_list("pk", flat=True)
    ) == {r.pk for r in by_urgency.values()}


# Expiry ----------------------------------------------------------------------------------------


def sweep() -> dict[str, int]:
    return tasks.referral_deadline_sweep_task()


def test_the_sweep_climbs_the_ladder_once_per_rung(world, mixed):
    awaiting = {mixed[State.SUBMITTED].pk, mixed[State.ACKNOWLEDGED].pk}

    with at(T0 + 12 * HOUR - SECOND):
        assert sweep() == {"reminded": 0, "escalated": 0, "expired": 0}
    with at(T0 + 12 * HOUR):
        assert sweep() == {"reminded": 2, "escalated": 0, "expired": 0}
        assert sweep() == {"reminded": 0, "escalated": 0, "expired": 0}
    with at(T0 + 24 * HOUR):
        assert sweep() == {"reminded": 0, "escalated": 2, "expired": 0}
        assert sweep() == {"reminded": 0, "escalated": 0, "expired": 0}

    for name in (EventName.REMINDED, EventName.ESCALATED):
        events = ReferralEvent.objects.filter(name=name)
        assert {event.referral_id for event in events} == awaiting
        assert {event.actor for event in events} == {None}
    for pk in awaiting:
        referral = Referral.objects.get(pk=pk)
        assert referral.reminder_sent_at == T0 + 12 * HOUR
        assert referral.escalation_sent_at == T0 + 24 * HOUR
        assert referral.state in (State.SUBMITTED, State.ACKNOWLEDGED)


def test_the_sweep_expires_exactly_those_past_twice_the_deadline(world, mixed):
    case = world.case(consent_to=(world.receiver,))
    later = submitted_at_t0(world, urgency="high", case=case, category="health")
    awaiting = [mixed[State.SUBMITTED], mixed[State.ACKNOWLEDGED]]

    with at(T0 + 48 * HOUR - SECOND):
        # The high-urgency one is only at its reminder (36 h of 72 h).
        assert sweep() == {"reminded": 3, "escalated": 2, "expired": 0}
    with at(T0 + 48 * HOUR):
        assert sweep() == {"reminded": 0, "escalated": 0, "expired": 2}
        assert sweep() == {"reminded": 0, "escalated": 0, "expired": 0}

    for referral in awaiting:
        referral.refresh_from_db()
        assert referral.state == State.EXPIRED
        assert referral.closed_at == T0 + 48 * HOUR
        event = ReferralEvent.objects.get(referral=referral, name=EventName.EXPIRED)
        assert event.actor is None
        assert event.to_state == State.EXPIRED
    assert ReferralEvent.objects.filter(name=EventName.EXPIRED).count() == 2
    later.refresh_from_db()
    assert later.state == State.SUBMITTED
    for state in (State.ACCEPTED, State.IN_PROGRESS, State.DECLINED, State.WITHDRAWN):
        assert Referral.objects.get(pk=mixed[state].pk).state == state
    # The receiver may no longer answer it.
    response = post(world.receiver_supervisor, f"/api/v1/referrals/{awaiting[0].pk}/accept/")
    assert response.status_code == 409


def test_expiring_an_answered_referral_does_nothing(world):
    referral = submitted_at_t0(world, urgency="emergency", state=State.ACCEPTED)

    with at(T0 + 100 * HOUR):
        assert services.referral_expire(referral_id=referral.pk) is None

    referral.refresh_from_db()
    assert referral.state == State.ACCEPTED


# Retention -------------------------------------------------------------------------------------


@pytest.fixture
def retention(settings):
    settings.REFERRAL_RETENTION_DAYS = 30
    return datetime.timedelta(days=30)


def test_the_retention_sweep_ends_the_receivers_access_to_the_personal_data(world, retention):
    with at(T0):
        referral = world.referral(State.COMPLETED)
    url = f"/api/v1/referrals/{referral.pk}/"

    with at(T0 + retention - HOUR):
        assert tasks.referral_retention_sweep_task() == 0
        assert get(world.receiver_worker, url).data["shared_data"] == referral.shared_data
    with at(T0 + retention + HOUR):
        assert tasks.referral_retention_sweep_task() == 1
        assert tasks.referral_retention_sweep_task() == 0

    receiver = get(world.receiver_worker, url)
    assert receiver.status_code == 200
    assert receiver.data["shared_data"] is None
    assert receiver.data["state"] == State.COMPLETED
    # The structured outcome stays; the free text goes with the personal data.
    assert receiver.data["outcome"] == "provided"
    assert receiver.data["outcome_note"] is None
    assert receiver.data["reason"] is None
    inbox = get(world.receiver_supervisor, "/api/v1/referrals/?box=inbox")
    assert [(row["id"], row["shared_data"]) for row in inbox.data["results"]] == [
        (referral.pk, None)
    ]
    sender = get(world.sender_worker, url)
    assert sender.data["shared_data"] == referral.shared_data
    assert sender.data["shared_data"]["given_name"] == "Amina"
    events = ReferralEvent.objects.filter(referral=referral, name=EventName.ACCESS_REVOKED)
    assert events.count() == 1
    assert events.get().actor is None


def test_the_retention_sweep_ignores_open_referrals(world, retention):
    with at(T0):
        referral = world.referral(State.IN_PROGRESS)

    with at(T0 + 10 * retention):
        assert tasks.referral_retention_sweep_task() == 0

    response = get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")
    assert response.data["shared_data"] == referral.shared_data


def test_the_retention_sweep_covers_declined_and_expired_referrals(world, retention):
    case = world.case()
    with at(T0):
        declined = world.referral(State.DECLINED, case=case, category="food")
        expired = world.referral(State.EXPIRED, case=case, category="health")
    assert get(world.receiver_worker, f"/api/v1/referrals/{declined.pk}/").data["shared_data"]

    with at(T0 + retention + HOUR):
        assert tasks.referral_retention_sweep_task() == 2

    for referral in (declined, expired):
        response = get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")
        assert response.status_code == 200
        assert response.data["shared_data"] is None


def test_a_withdrawn_referral_lost_its_data_at_once_and_is_not_swept_again(world, retention):
    with at(T0):
        referral = world.referral(State.ACCEPTED)
        post(world.sender_worker, f"/api/v1/referrals/{referral.pk}/withdraw/", {"reason": "x"})
        assert (
            get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/").data["shared_data"]
            is None
        )

    with at(T0 + retention + HOUR):
        assert tasks.referral_retention_sweep_task() == 0
    assert not ReferralEvent.objects.filter(name=EventName.ACCESS_REVOKED).exists()


# The sweeps' order -------------------------------------------------------------------------------


def test_each_sweep_takes_the_oldest_due_rows_first(world, retention, monkeypatch):
    """A batch is the longest-waiting rows along the due column's index, not the newest ids
    (which made PostgreSQL walk the whole primary key, issue 13)."""
    monkeypatch.setattr(tasks, "BATCH", 1)
    with at(T0):
        early = world.referral(State.SUBMITTED, urgency="emergency")
    with at(T0 + 2 * HOUR):
        late = world.referral(State.SUBMITTED, urgency="emergency")
    assert late.pk > early.pk  # the newest id is the latest deadline

    # Each rung, when both are due, one at a time: the earlier deadline first.
    for moment, column in (
        (T0 + 15 * HOUR, "reminder_sent_at"),
        (T0 + 27 * HOUR, "escalation_sent_at"),
    ):
        with at(moment):
            tasks.referral_deadline_sweep_task()
        early.refresh_from_db()
        late.refresh_from_db()
        assert getattr(early, column) is not None, column
        assert getattr(late, column) is None, column
        with at(moment):
            tasks.referral_deadline_sweep_task()
        late.refresh_from_db()
        assert getattr(late, column) is not None, column
    with at(T0 + 51 * HOUR):
        tasks.referral_deadline_sweep_task()
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.state == State.EXPIRED
    assert late.state == State.SUBMITTED

    # Retention: the referral that ended first, whatever its id.
    with at(T0 + 51 * HOUR):
        tasks.referral_deadline_sweep_task()
    Referral.objects.filter(pk=early.pk).update(closed_at=T0 + 60 * HOUR)
    due = selectors.referrals_past_retention(before=T0 + 100 * HOUR)
    assert list(due.values_list("pk", flat=True)[:1]) == [late.pk]
