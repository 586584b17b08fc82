"""The deadline ladder with frozen time, for each urgency: a reminder to the receiver at half the
response time, an escalation at the deadline, the expiry at twice; each rung once."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core import mail

from notifications.models import Notification
from referrals.models import EventName, Referral, ReferralEvent, State
from referrals.tasks import referral_deadline_sweep_task
from tests.notifications.conftest import T0, at, email_of

SECOND = datetime.timedelta(seconds=1)
RESPONSE = {
    "emergency": datetime.timedelta(hours=24),
    "high": datetime.timedelta(hours=72),
    "normal": datetime.timedelta(days=14),
}
LADDER = (EventName.REMINDED, EventName.ESCALATED, EventName.EXPIRED)


def ladder_events(referral: Referral) -> list[str]:
    return list(
        ReferralEvent.objects.filter(referral=referral, name__in=LADDER)
        .order_by("pk")
        .values_list("name", flat=True)
    )


def notices() -> Counter:
    return Counter(
        (n.recipient.username, n.kind, n.url)
        for n in Notification.objects.select_related("recipient")
    )


def sweep_at(moment: datetime.datetime, capture) -> list[dict[str, int]]:
    """Two sweeps at the same moment, as two beats or two workers might run them."""
    with at(moment), capture(execute=True):
        return [referral_deadline_sweep_task(), referral_deadline_sweep_task()]


def nothing_new(referral: Referral, moment: datetime.datetime, capture) -> None:
    before = (ladder_events(referral), notices(), len(mail.outbox), referral.state)
    sweep_at(moment, capture)
    referral.refresh_from_db()
    assert (ladder_events(referral), notices(), len(mail.outbox), referral.state) == before


@pytest.mark.parametrize("urgency", list(RESPONSE))
def test_the_ladder_of_an_unanswered_referral(world, urgency, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    response = RESPONSE[urgency]
    with at(T0), capture(execute=True):
        referral = world.referral(urgency=urgency)
    url = f"/referrals/{referral.pk}/"
    Notification.objects.all().delete()
    mail.outbox.clear()

    nothing_new(referral, T0 + response / 2 - SECOND, capture)

    # Half the response time: a reminder to the receiving organisation.
    done = sweep_at(T0 + response / 2, capture)
    assert done == [
        {"reminded": 1, "escalated": 0, "expired": 0},
        {"reminded": 0, "escalated": 0, "expired": 0},
    ]
    assert ladder_events(referral) == [EventName.REMINDED]
    assert notices() == Counter(
        {
            ("r.worker", "referral.deadline", url): 1,
            ("r.worker2", "referral.deadline", url): 1,
            ("r.supervisor", "referral.deadline", url): 1,
        }
    )
    assert sorted(m.to[0] for m in mail.outbox) == email_of(
        world.receiver_worker, world.receiver_worker2, world.receiver_supervisor
    )
    reminder = Notification.objects.filter(recipient=world.receiver_worker).get()
    assert reminder.subject.startswith(f"Reminder: referral #{referral.pk}")

    nothing_new(referral, T0 + response - SECOND, capture)

    # The deadline: escalation to the receiving supervisors and the group's coordinators
    # (without a link they could not open), and a notice to the sender.
    Notification.objects.all().delete()
    mail.outbox.clear()
    done = sweep_at(T0 + response, capture)
    assert [d["escalated"] for d in done] == [1, 0]
    assert ladder_events(referral) == [EventName.REMINDED, EventName.ESCALATED]
    assert notices() == Counter(
        {
            ("r.supervisor", "referral.deadline", url): 1,
            ("io.coordinator", "referral.deadline", ""): 1,
            ("s.worker", "referral.deadline", url): 1,
        }
    )
    assert sorted(m.to[0] for m in mail.outbox) == email_of(
        world.receiver_supervisor, world.coordinator, world.sender_worker
    )
    assert all(n.subject.startswith("Overdue:") for n in Notification.objects.all())

    nothing_new(referral, T0 + 2 * response - SECOND, capture)

    # Twice the response time: expired, and the sender is told.
    Notification.objects.all().delete()
    mail.outbox.clear()
    done = sweep_at(T0 + 2 * response, capture)
    assert [d["expired"] for d in done] == [1, 0]
    referral.refresh_from_db()
    assert referral.state == State.EXPIRED
    assert ladder_events(referral) == [EventName.REMINDED, EventName.ESCALATED, EventName.EXPIRED]
    sender_notice = Notification.objects.get(recipient=world.sender_worker)
    assert (sender_notice.kind, sender_notice.url) == ("referral.answered", url)
    assert sender_notice.subject == (
        f"Referral #{referral.pk} to Receiving Municipality expired unanswered"
    )
    assert world.sender_worker.email in [m.to[0] for m in mail.outbox]

    nothing_new(referral, T0 + 3 * response, capture)


@pytest.mark.parametrize("urgency", list(RESPONSE))
def test_an_answered_referral_gets_nothing(world, urgency, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    response = RESPONSE[urgency]
    with at(T0), capture(execute=True):
        referral = world.referral(State.ACCEPTED, urgency=urgency)

    for moment in (response / 2, response, 2 * response, 3 * response):
        nothing_new(referral, T0 + moment, capture)

    assert ladder_events(referral) == []
    assert referral.state == State.ACCEPTED


def test_a_received_but_unanswered_referral_is_reminded_too(
    world, django_capture_on_commit_callbacks
):
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        referral = world.referral(State.ACKNOWLEDGED, urgency="emergency")
    Notification.objects.all().delete()

    sweep_at(T0 + RESPONSE["emergency"] / 2, django_capture_on_commit_callbacks)

    assert ladder_events(referral) == [EventName.REMINDED]
    assert {n.recipient.username for n in Notification.objects.all()} == {
        "r.worker",
        "r.worker2",
        "r.supervisor",
    }
