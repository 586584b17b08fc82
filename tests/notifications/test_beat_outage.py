"""Beat's missed runs do not matter (issue 12): while beat (or the broker) was away, events,
notices and e-mails piled up as rows; the next run of the sweeps catches all of it up, and a
second run (a late duplicate, two beats) adds nothing."""

from __future__ import annotations

import datetime

import time_machine
from django.core import mail
from django.utils import timezone

from coordination import services as coordination
from notifications.models import Delivery, DeliveryStatus, Notification, PendingNotice
from notifications.services import delivery_sweep
from referrals.models import ReferralEvent
from referrals.tasks import referral_event_sweep_task
from tests.coordination.conftest import build_world as coordination_world
from tests.referrals.conftest import build_world


def _sweeps(django_capture_on_commit_callbacks) -> None:
    """One run of each sweep beat enqueues, as a worker runs it (after commit, its messages)."""
    with django_capture_on_commit_callbacks(execute=True):
        referral_event_sweep_task()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_sweep()


def test_one_run_after_an_outage_catches_everything_up_and_a_second_adds_nothing(
    db, django_capture_on_commit_callbacks
):
    world = build_world()
    group = coordination_world()
    with django_capture_on_commit_callbacks(execute=False):  # no message ever left
        for _ in range(3):
            world.referral()
        coordination.alert_broadcast(
            actor=group.coordinator, group=group.group, title="Arrivals", message="120"
        )
    unnotified = ReferralEvent.objects.filter(notified_at__isnull=True).count()
    assert unnotified >= 3
    assert PendingNotice.objects.filter(done_at__isnull=True).count() == 1
    assert mail.outbox == []

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20), tick=False):
        _sweeps(django_capture_on_commit_callbacks)
        _sweeps(django_capture_on_commit_callbacks)  # the notices' e-mails: one more round
        caught_up_mail = len(mail.outbox)
        caught_up_notifications = Notification.objects.count()

        assert not ReferralEvent.objects.filter(notified_at__isnull=True).exists()
        assert not PendingNotice.objects.filter(done_at__isnull=True).exists()
        assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
        assert caught_up_mail == Delivery.objects.count() > 0

        _sweeps(django_capture_on_commit_callbacks)  # beat's next run, or a second beat
        assert len(mail.outbox) == caught_up_mail
        assert Notification.objects.count() == caught_up_notifications
