"""The event sweep notifies, exactly once, the events whose task was lost."""

from __future__ import annotations

import datetime

from django.core import mail

from notifications.models import Delivery, Notification
from referrals import services
from referrals.models import EventName, ReferralEvent
from referrals.tasks import referral_event_sweep_task
from tests.notifications.conftest import T0, at, email_of, mailed, notified

SECOND = datetime.timedelta(seconds=1)


def test_it_notifies_a_lost_event_once(world, django_capture_on_commit_callbacks):
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        referral = world.draft()
    with at(T0):
        # The commit hooks never run: the broker was down, or the web process died.
        services.referral_submit(referral_id=referral.pk, actor=world.sender_worker)
    event = ReferralEvent.objects.get(referral=referral, name=EventName.SUBMITTED)
    assert event.notified_at is None

    with at(T0 + 29 * SECOND), django_capture_on_commit_callbacks(execute=True):
        assert referral_event_sweep_task() == 0  # its own task may still be on its way
    assert not Notification.objects.exists()

    with at(T0 + 31 * SECOND), django_capture_on_commit_callbacks(execute=True):
        assert referral_event_sweep_task() == 1

    assert notified() == {"r.worker", "r.worker2", "r.supervisor"}
    assert sorted(mailed()) == email_of(
        world.receiver_worker, world.receiver_worker2, world.receiver_supervisor
    )
    event.refresh_from_db()
    assert event.notified_at == T0 + 31 * SECOND

    with at(T0 + 91 * SECOND), django_capture_on_commit_callbacks(execute=True):
        assert referral_event_sweep_task() == 0
    assert Notification.objects.count() == 3
    assert Delivery.objects.count() == 3
    assert len(mail.outbox) == 3


def test_an_event_its_task_notified_is_left_alone(world, django_capture_on_commit_callbacks):
    with at(T0), django_capture_on_commit_callbacks(execute=True):
        referral = world.draft()
        services.referral_submit(referral_id=referral.pk, actor=world.sender_worker)
    assert len(mail.outbox) == 3
    assert not ReferralEvent.objects.filter(notified_at__isnull=True).exists()

    with at(T0 + 60 * SECOND), django_capture_on_commit_callbacks(execute=True):
        assert referral_event_sweep_task() == 0

    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


def test_one_failing_event_does_not_hold_back_the_others(world, monkeypatch):
    from referrals import notifications as referral_notifications

    first, second = world.referral(), world.referral()
    events = list(
        ReferralEvent.objects.filter(referral__in=[first, second], notified_at__isnull=True)
    )
    broken = events[0].pk
    original = referral_notifications.event_notify

    def flaky(*, event_id):
        if event_id == broken:
            raise RuntimeError("template missing")
        return original(event_id=event_id)

    monkeypatch.setattr(referral_notifications, "event_notify", flaky)
    with at(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=1)):
        referral_event_sweep_task()

    assert ReferralEvent.objects.get(pk=broken).notified_at is None
    assert not ReferralEvent.objects.filter(
        pk__in=[e.pk for e in events[1:]], notified_at__isnull=True
    ).exists()
