"""delivery_send: one claim sends one e-mail; failures are recorded, retried with back-off, and
end as dead letters shown in the admin."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from notifications.models import Delivery, DeliveryStatus
from notifications.services import delivery_send, notify
from referrals.models import EventName
from tests.notifications.conftest import message_for

FAILING_BACKEND = "tests.notifications.test_delivery_send.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses everything."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server refused the connection")


@pytest.fixture
def delivery(world) -> Delivery:
    event = world.referral().events.get(name=EventName.SUBMITTED)
    notify(recipients=[world.receiver_worker], message=message_for(event))
    return Delivery.objects.get()


def test_it_sends_the_email_once_however_often_it_runs(world, delivery):
    assert delivery_send(delivery_id=delivery.pk) is True
    assert delivery_send(delivery_id=delivery.pk) is False

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.receiver_worker.email]
    assert email.subject == delivery.notification.subject
    assert f"http://localhost:8000{delivery.notification.url}" in email.body
    assert delivery.notification.url.startswith("/referrals/")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1
    assert delivery.sent_at is not None


def test_a_delivery_claimed_by_another_worker_is_left_alone(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now()
    )

    assert delivery_send(delivery_id=delivery.pk) is False
    assert mail.outbox == []


def test_a_failure_is_recorded_and_retried_later(delivery, settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    before = timezone.now()

    assert delivery_send(delivery_id=delivery.pk) is False

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "ConnectionRefusedError: SMTP server refused the connection" in delivery.last_error
    assert delivery.next_attempt_at > before + datetime.timedelta(seconds=30)
    assert delivery.claimed_at is None
    # Not due yet: another run does nothing.
    assert delivery_send(delivery_id=delivery.pk) is False
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


def test_the_back_off_grows_and_a_later_success_clears_the_error(delivery, settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    waits = []
    for _ in range(3):
        with time_machine.travel(Delivery.objects.get(pk=delivery.pk).next_attempt_at, tick=False):
            delivery_send(delivery_id=delivery.pk)
            waits.append(Delivery.objects.get(pk=delivery.pk).next_attempt_at - timezone.now())
    assert waits[0] < waits[1] < waits[2]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(Delivery.objects.get(pk=delivery.pk).next_attempt_at, tick=False):
        assert delivery_send(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 4, "")
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_it_is_dead_and_shown_in_the_admin(
    delivery, settings, client, superuser
):
    settings.EMAIL_BACKEND = FAILING_BACKEND
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    for attempt in range(1, 4):
        with time_machine.travel(Delivery.objects.get(pk=delivery.pk).next_attempt_at, tick=False):
            delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.status == ("dead" if attempt == 3 else "pending")

    # Dead for good: even when due again, nothing is tried.
    with time_machine.travel(delivery.next_attempt_at + datetime.timedelta(days=1), tick=False):
        assert delivery_send(delivery_id=delivery.pk) is False
    assert Delivery.objects.get(pk=delivery.pk).attempts == 3

    client.force_login(superuser)
    response = client.get("/admin/notifications/delivery/?status__exact=dead")
    assert response.status_code == 200
    assert delivery.key in response.content.decode()
    assert "ConnectionRefusedError" in response.content.decode()
    sent = client.get("/admin/notifications/delivery/?status__exact=sent")
    assert delivery.key not in sent.content.decode()


def test_the_admin_retries_a_dead_letter(delivery, settings, client, superuser):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DEAD, attempts=8, last_error="boom"
    )
    client.force_login(superuser)

    response = client.post(
        "/admin/notifications/delivery/",
        {"action": "retry", "_selected_action": [delivery.pk]},
    )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT  # eager Celery sent it at once
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("change", ["deactivated", "address removed"])
def test_nobody_is_mailed_who_left_since_the_notice(world, delivery, change):
    person = world.receiver_worker
    if change == "deactivated":
        person.is_active = False
    else:
        person.email = ""
    person.save()

    assert delivery_send(delivery_id=delivery.pk) is False

    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD
    assert "inactive or has no e-mail address" in delivery.last_error


def test_an_email_sent_again_after_a_crash_carries_the_same_message_id(world, delivery):
    """A worker killed between the SMTP send and marking the row sent sends it again: mail
    systems drop the duplicate by its Message-ID, derived from the delivery key."""
    assert delivery_send(delivery_id=delivery.pk) is True
    # As the stale-claim sweep leaves it after a crash: pending again.
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING)
    assert delivery_send(delivery_id=delivery.pk) is True
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.message()["Message-ID"] == second.message()["Message-ID"]
    assert first.message()["Message-ID"].endswith("@localhost>")


def test_emails_say_they_are_automatic_and_in_which_language(world, delivery):
    from notifications.services import preference_update

    preference_update(user=world.receiver_worker, language="fr")
    delivery_send(delivery_id=delivery.pk)
    message = mail.outbox[0].message()
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "fr"


def test_two_deliveries_have_different_message_ids(world, delivery):
    event = world.referral().events.get(name=EventName.SUBMITTED)
    notify(recipients=[world.receiver_worker], message=message_for(event))
    for row in Delivery.objects.all():
        delivery_send(delivery_id=row.pk)
    assert len({email.message()["Message-ID"] for email in mail.outbox}) == 2
