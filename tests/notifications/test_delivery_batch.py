"""Deliveries go in batches: one task and one connection to the mail server for many e-mails,
each still claimed, failed and retried on its own; the sweep queues its next run when more wait."""

from __future__ import annotations

import datetime
import math
from unittest.mock import patch

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from notifications import tasks
from notifications.models import Delivery, DeliveryStatus
from notifications.services import DELIVERY_BATCH, delivery_send_many, delivery_sweep, notify
from referrals.models import EventName
from tests.factories import member
from tests.notifications.conftest import T0, at, message_for

OPENED: list[int] = []


class CountingBackend(EmailBackend):
    """The test outbox, counting the connections opened to the mail server."""

    def open(self):
        OPENED.append(1)
        return super().open()


class PickyBackend(EmailBackend):
    """A mail server that refuses one address."""

    def send_messages(self, messages):
        if any("refused" in address for message in messages for address in message.to):
            raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


class UnreachableBackend(EmailBackend):
    def open(self):
        raise ConnectionRefusedError("no mail server")


@pytest.fixture
def deliveries(world) -> list[Delivery]:
    event = world.referral().events.get(name=EventName.SUBMITTED)
    notify(
        recipients=[world.receiver_worker, world.receiver_worker2, world.receiver_supervisor],
        message=message_for(event),
    )
    return list(Delivery.objects.order_by("pk").select_related("notification__recipient"))


def test_a_batch_is_sent_over_one_connection(deliveries, settings, django_assert_max_num_queries):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    OPENED.clear()
    ids = [d.pk for d in deliveries]

    # Claims (one per row, in one transaction), the rows, the languages, the sent mark: the
    # same few queries whatever the batch holds, not a handful per e-mail.
    with django_assert_max_num_queries(len(ids) + 7):
        assert delivery_send_many(delivery_ids=ids) == 3

    assert len(OPENED) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        d.notification.recipient.email for d in deliveries
    )
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    # Handed again (a sweep, a duplicated message): nothing is sent twice.
    assert delivery_send_many(delivery_ids=ids) == 0
    assert len(mail.outbox) == 3


def test_one_refused_address_does_not_hold_back_the_others(world, deliveries, settings):
    settings.EMAIL_BACKEND = f"{__name__}.PickyBackend"
    refused, *others = deliveries
    refused.notification.recipient.email = "refused@example.org"
    refused.notification.recipient.save()

    assert delivery_send_many(delivery_ids=[d.pk for d in deliveries]) == 2

    refused.refresh_from_db()
    assert (refused.status, refused.attempts, refused.claimed_at) == ("pending", 1, None)
    assert "550 mailbox unavailable" in refused.last_error
    assert {Delivery.objects.get(pk=d.pk).status for d in others} == {DeliveryStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        d.notification.recipient.email for d in others
    )


def test_an_unreachable_mail_server_leaves_the_whole_batch_for_a_retry(deliveries, settings):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"

    assert delivery_send_many(delivery_ids=[d.pk for d in deliveries]) == 0

    rows = list(Delivery.objects.values_list("status", "attempts", "claimed_at", "handed_at"))
    assert rows == [(DeliveryStatus.PENDING, 1, None, None)] * 3
    assert all("no mail server" in e for e in Delivery.objects.values_list("last_error", flat=True))


def test_rows_claimed_by_another_worker_are_left_to_it(deliveries):
    held, *_others = deliveries
    Delivery.objects.filter(pk=held.pk).update(status=DeliveryStatus.SENDING)

    assert delivery_send_many(delivery_ids=[d.pk for d in deliveries]) == 2
    assert held.notification.recipient.email not in [m.to[0] for m in mail.outbox]
    assert Delivery.objects.get(pk=held.pk).status == DeliveryStatus.SENDING


def test_a_notice_to_many_publishes_one_task_per_batch(world, django_capture_on_commit_callbacks):
    people = [member(world.receiver, "caseworker") for _ in range(DELIVERY_BATCH * 2 + 3)]
    event = world.referral().events.get(name=EventName.SUBMITTED)
    published = []
    real = tasks.delivery_send_batch_task.apply_async

    def counted(*args, **kwargs):
        published.append(kwargs["kwargs"]["delivery_ids"])
        return real(*args, **kwargs)

    with (
        patch.object(tasks.delivery_send_batch_task, "apply_async", counted),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=people, message=message_for(event))

    assert len(published) == math.ceil(len(people) / DELIVERY_BATCH)
    assert sorted(pk for batch in published for pk in batch) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )
    assert len(mail.outbox) == len(people)


def test_a_sweep_that_reaches_its_most_queues_the_next_run(world, settings):
    settings.NOTIFICATIONS_STALE_AFTER = 300
    people = [member(world.receiver, "caseworker") for _ in range(5)]
    with at(T0):
        event = world.referral().events.get(name=EventName.SUBMITTED)
        notify(recipients=people, message=message_for(event))  # their tasks were lost

    # Two per run; the next runs follow at once (eager here), not at the next beat.
    with at(T0 + datetime.timedelta(seconds=301)):
        delivery_sweep(limit=1, most=2)

    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 5
    assert len(mail.outbox) == 5
