"""delivery_sweep: what is pending and due goes to a worker again; what a killed worker left
claimed is released after NOTIFICATIONS_STALE_AFTER."""

from __future__ import annotations

import datetime
from unittest.mock import patch

import pytest
from django.core import mail

from notifications import tasks
from notifications.models import Delivery, DeliveryStatus
from notifications.services import delivery_send, delivery_sweep, notify
from referrals.models import EventName
from tests.factories import member
from tests.notifications.conftest import T0, at, message_for

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def deliveries(world) -> list[Delivery]:
    """Three pending deliveries whose tasks were lost (the commit hooks never ran)."""
    with at(T0):
        event = world.referral().events.get(name=EventName.SUBMITTED)
        notify(
            recipients=[world.receiver_worker, world.receiver_worker2, world.receiver_supervisor],
            message=message_for(event),
        )
    return list(Delivery.objects.order_by("pk"))


def test_it_sends_the_pending_deliveries_that_are_due(world, deliveries, settings):
    settings.NOTIFICATIONS_STALE_AFTER = 300
    not_due, *due = deliveries
    Delivery.objects.filter(pk=not_due.pk).update(next_attempt_at=T0 + 400 * SECOND)

    with at(T0 + 5 * SECOND):  # handed over moments ago: their messages may still be queued
        assert delivery_sweep() == 0
    with at(T0 + 301 * SECOND):  # no worker claimed them in the window: the messages were lost
        assert delivery_sweep() == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        d.notification.recipient.email for d in due
    )
    assert Delivery.objects.get(pk=not_due.pk).status == DeliveryStatus.PENDING
    with at(T0 + 400 * SECOND):
        assert tasks.delivery_sweep_task() == 1
        assert tasks.delivery_sweep_task() == 0
    assert len(mail.outbox) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_it_releases_a_claim_older_than_the_stale_window(world, deliveries, settings):
    settings.NOTIFICATIONS_STALE_AFTER = 300
    stuck, fresh, sent = deliveries
    Delivery.objects.filter(pk__in=[stuck.pk, fresh.pk]).update(
        status=DeliveryStatus.SENDING, attempts=1
    )
    Delivery.objects.filter(pk=stuck.pk).update(claimed_at=T0)
    Delivery.objects.filter(pk=fresh.pk).update(claimed_at=T0 + 200 * SECOND)
    Delivery.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENT, sent_at=T0)

    with at(T0 + 300 * SECOND):  # exactly at the window: not stale yet
        assert delivery_sweep() == 0
    with at(T0 + 301 * SECOND):
        assert delivery_sweep() == 1

    assert [m.to for m in mail.outbox] == [[stuck.notification.recipient.email]]
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (DeliveryStatus.SENT, 2)
    assert Delivery.objects.get(pk=fresh.pk).status == DeliveryStatus.SENDING
    with at(T0 + 501 * SECOND):
        assert delivery_sweep() == 1
    assert len(mail.outbox) == 2  # the one already sent is never sent again


def test_dead_letters_stay_dead(world, deliveries):
    Delivery.objects.update(status=DeliveryStatus.DEAD)

    with at(T0 + datetime.timedelta(days=1)):
        assert delivery_sweep() == 0

    assert mail.outbox == []


def test_a_lost_queue_is_handed_over_whole_not_500_a_minute(world, settings):
    """Redis restarted empty: every pending delivery's message is gone. One sweep hands them
    all over (a batch at a time), as fast as the workers take them (issue 13)."""
    settings.NOTIFICATIONS_STALE_AFTER = 300
    with at(T0):
        event = world.referral().events.get(name=EventName.SUBMITTED)
        people = [member(world.receiver, username=f"m{i}") for i in range(12)]
        for n in range(100):
            notify(recipients=people, message=message_for(event, key=f"lost:{n}"))
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 1200

    with at(T0 + 301 * SECOND):
        assert delivery_sweep(limit=500) == 1200
    assert len(mail.outbox) == 1200
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()


def test_what_waits_its_turn_in_the_queue_is_not_handed_over_twice(world, deliveries, settings):
    settings.NOTIFICATIONS_STALE_AFTER = 300
    with at(T0 + 301 * SECOND), patch("notifications.services.publish", return_value=True):
        assert delivery_sweep() == 3  # handed over: the messages are queued, no worker yet
    with at(T0 + 400 * SECOND), patch("notifications.services.publish", return_value=True):
        assert delivery_sweep() == 0  # still in their lease: not queued a second time
    with at(T0 + 602 * SECOND):
        assert delivery_sweep() == 3  # lost again: handed over again, and sent
    assert len(mail.outbox) == 3


def test_a_delivery_the_broker_refused_is_handed_at_the_next_sweep(world, deliveries, settings):
    settings.NOTIFICATIONS_STALE_AFTER = 300
    with at(T0 + 301 * SECOND), patch("notifications.services.publish", return_value=False):
        assert delivery_sweep() == 0  # the broker is down
    with at(T0 + 361 * SECOND):  # the next sweep, a minute later, not a lease later
        assert delivery_sweep() == 3
    assert len(mail.outbox) == 3


def test_a_failed_send_is_retried_when_its_back_off_ends(world, deliveries, settings):
    settings.NOTIFICATIONS_STALE_AFTER = 300
    first, *_ = deliveries
    with (
        at(T0 + 1 * SECOND),
        patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=OSError("down"),
        ),
    ):
        assert delivery_send(delivery_id=first.pk) is False
    with at(T0 + 62 * SECOND):  # the first back-off is a minute, shorter than the lease
        assert delivery_sweep() == 1
    assert [m.to for m in mail.outbox] == [[first.notification.recipient.email]]
