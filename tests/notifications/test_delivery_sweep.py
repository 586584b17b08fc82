"""delivery_sweep: what is pending and due goes to a worker again; what a killed worker left
claimed is released after NOTIFICATIONS_STALE_AFTER."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from notifications import tasks
from notifications.models import Delivery, DeliveryStatus
from notifications.services import delivery_sweep, notify
from referrals.models import EventName
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


def test_it_sends_the_pending_deliveries_that_are_due(world, deliveries):
    not_due, *due = deliveries
    Delivery.objects.filter(pk=not_due.pk).update(next_attempt_at=T0 + 10 * SECOND)

    with at(T0 + 5 * SECOND):
        assert delivery_sweep() == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        d.notification.recipient.email for d in due
    )
    assert Delivery.objects.get(pk=not_due.pk).status == DeliveryStatus.PENDING
    with at(T0 + 10 * SECOND):
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
