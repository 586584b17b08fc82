"""enqueue_delivery: a broker outage never breaks the caller; the row waits for the sweep."""

from __future__ import annotations

from unittest import mock

from django.core import mail
from kombu.exceptions import OperationalError

from notifications import tasks
from notifications.models import Delivery, DeliveryStatus
from notifications.services import delivery_sweep, enqueue_delivery, notify
from referrals.models import EventName
from tests.notifications.conftest import message_for


def test_a_broker_outage_is_swallowed_and_the_row_stays_pending(
    world, django_capture_on_commit_callbacks, caplog
):
    event = world.referral().events.get(name=EventName.SUBMITTED)
    outage = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with mock.patch.object(tasks.delivery_send_task, "delay", side_effect=outage) as delay:
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[world.receiver_worker], message=message_for(event))
        delivery = Delivery.objects.get()
        enqueue_delivery(delivery.pk)

    assert delay.call_count == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert mail.outbox == []
    assert "waits for the sweep" in caplog.text

    # The broker is back: the sweep sends it.
    assert delivery_sweep() == 1
    assert [m.to for m in mail.outbox] == [[world.receiver_worker.email]]
