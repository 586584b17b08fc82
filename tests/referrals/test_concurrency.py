"""Two people answering the same referral at the same moment: exactly one wins, the others get a
conflict (409), and nothing is half-written.

The threaded race needs real row locks, so it runs on PostgreSQL; on SQLite (one writer at a
time, in-memory test database) the same rule is checked sequentially.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition

from referrals import services
from referrals.exceptions import InvalidTransition
from referrals.models import EventName, Referral, ReferralEvent, State
from tests.factories import member
from tests.referrals.conftest import post

RACERS = 8


def race(calls):
    """Start every call at the same instant, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, object]] = [("", None)] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - collected, then asserted on below
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def receivers(world, count: int) -> list:
    people = [world.receiver_worker, world.receiver_worker2, world.receiver_supervisor]
    people += [
        member(world.receiver, "caseworker", username=f"r.extra{i}")
        for i in range(count - len(people))
    ]
    return people


def test_a_second_accept_is_a_conflict(world):
    referral = world.referral(State.ACKNOWLEDGED)
    first = services.referral_accept(referral_id=referral.pk, actor=world.receiver_worker2)
    assert first.state == State.ACCEPTED

    with pytest.raises(InvalidTransition) as raised:
        services.referral_accept(referral_id=referral.pk, actor=world.receiver_supervisor)
    assert raised.value.status_code == 409
    response = post(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/accept/")
    assert response.status_code == 409

    referral.refresh_from_db()
    assert referral.assignee == world.receiver_worker2
    assert ReferralEvent.objects.filter(referral=referral, name=EventName.ACCEPTED).count() == 1


def test_a_stale_copy_cannot_overwrite_a_newer_state(world):
    """django-fsm's concurrent-transition guard: a save from an outdated copy is refused."""
    referral = world.referral(State.SUBMITTED)
    stale = Referral.objects.get(pk=referral.pk)
    services.referral_decline(
        referral_id=referral.pk, actor=world.receiver_worker, reason="other", note="Closed"
    )

    stale.accept(now=timezone.now())
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()

    referral.refresh_from_db()
    assert referral.state == State.DECLINED
    assert not ReferralEvent.objects.filter(referral=referral, name=EventName.ACCEPTED).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_have_exactly_one_winner(world):
    referral = world.referral(State.SUBMITTED)
    people = receivers(world, RACERS)
    if connection.vendor != "postgresql":
        services.referral_accept(referral_id=referral.pk, actor=people[0])
        for person in people[1:]:
            with pytest.raises(InvalidTransition):
                services.referral_accept(referral_id=referral.pk, actor=person)
        winners = [people[0]]
    else:
        results = race(
            [
                lambda person=person: services.referral_accept(
                    referral_id=referral.pk, actor=person
                )
                for person in people
            ]
        )
        outcomes = [kind for kind, _ in results]
        assert outcomes.count("ok") == 1, results
        errors = [value for kind, value in results if kind == "error"]
        assert all(isinstance(error, InvalidTransition) for error in errors), errors
        assert all(error.status_code == 409 for error in errors)
        winners = [people[i] for i, (kind, _) in enumerate(results) if kind == "ok"]

    referral.refresh_from_db()
    assert referral.state == State.ACCEPTED
    assert referral.assignee == winners[0]
    accepted = ReferralEvent.objects.filter(referral=referral, name=EventName.ACCEPTED)
    assert accepted.count() == 1
    assert accepted.get().actor == winners[0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_and_declines_have_exactly_one_winner(world):
    """Some accept, others decline, all at once: one answer, one event."""
    referral = world.referral(State.ACKNOWLEDGED)
    people = receivers(world, 6)
    calls = [
        lambda person=person: services.referral_accept(referral_id=referral.pk, actor=person)
        for person in people[:3]
    ]
    calls += [
        lambda person=person: services.referral_decline(
            referral_id=referral.pk, actor=person, reason="no_capacity", note="Full"
        )
        for person in people[3:]
    ]
    if connection.vendor != "postgresql":
        calls[0]()
        for call in calls[1:]:
            with pytest.raises(InvalidTransition):
                call()
    else:
        results = race(calls)
        assert [kind for kind, _ in results].count("ok") == 1, results
        errors = [value for kind, value in results if kind == "error"]
        assert all(isinstance(error, InvalidTransition) for error in errors), errors

    referral.refresh_from_db()
    assert referral.state in (State.ACCEPTED, State.DECLINED)
    transitions = ReferralEvent.objects.filter(
        referral=referral, name__in=[EventName.ACCEPTED, EventName.DECLINED]
    )
    assert transitions.count() == 1
    assert transitions.get().to_state == referral.state


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_openings_acknowledge_once(world):
    referral = world.referral(State.SUBMITTED)
    people = receivers(world, 4)
    calls = [
        lambda person=person: services.referral_open(referral_id=referral.pk, actor=person)
        for person in people
    ]
    if connection.vendor != "postgresql":
        results = [("ok", call()) for call in calls]
    else:
        results = race(calls)

    # Every reader gets the referral; only one of them acknowledges it.
    assert [kind for kind, _ in results] == ["ok"] * len(people), results
    referral.refresh_from_db()
    assert referral.state == State.ACKNOWLEDGED
    assert ReferralEvent.objects.filter(referral=referral, name=EventName.ACKNOWLEDGED).count() == 1
