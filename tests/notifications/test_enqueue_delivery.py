"""enqueue_delivery: a broker outage never breaks the caller; the row waits for the sweep."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import mail
from django.utils import timezone

from config import publish
from notifications.models import Delivery, DeliveryStatus
from notifications.services import delivery_sweep, enqueue_delivery, notify
from referrals.models import EventName
from tests.notifications.conftest import message_for


def test_a_broker_outage_is_swallowed_and_the_row_stays_pending(
    world, django_capture_on_commit_callbacks, caplog, broker_down
):
    event = world.referral().events.get(name=EventName.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.receiver_worker], message=message_for(event))
    delivery = Delivery.objects.get()
    enqueue_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert delivery.handed_at is None  # not handed: the next sweep's, not a lease later
    assert mail.outbox == []
    assert "waits for its sweep" in caplog.text


def test_the_sweep_sends_what_waited_once_the_broker_is_back(
    world, django_capture_on_commit_callbacks
):
    event = world.referral().events.get(name=EventName.SUBMITTED)
    from config.celery import app

    app.conf.task_always_eager = False  # published nowhere: the row waits, as in an outage
    try:
        with django_capture_on_commit_callbacks(execute=False):
            notify(recipients=[world.receiver_worker], message=message_for(event))
    finally:
        app.conf.task_always_eager = True
    assert mail.outbox == []

    # Handed over at the commit, as far as the row knows: not again while a worker may still
    # take it from the queue; once the lease is over, it was lost and is handed again.
    assert delivery_sweep() == 0
    lease_over = timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATIONS_STALE_AFTER + 1)
    assert delivery_sweep(now=lease_over) == 1
    assert [m.to for m in mail.outbox] == [[world.receiver_worker.email]]


class _Task:
    name = "a.task"

    def __init__(self, fails: bool) -> None:
        self.fails, self.calls = fails, 0

    def apply_async(self, kwargs: dict, retry: bool) -> None:
        assert retry is False  # never a retry loop inside a request
        self.calls += 1
        if self.fails:
            raise ConnectionRefusedError(111, "Connection refused")


def test_after_a_refused_publish_none_is_tried_for_a_while(monkeypatch):
    """A request that would publish ten messages pays for one refused connection, not ten."""
    clock = [1000.0]
    monkeypatch.setattr(publish, "monotonic", lambda: clock[0])
    publish.resume()
    down = _Task(fails=True)

    assert [publish.publish(down, n=n) for n in range(10)] == [False] * 10
    assert down.calls == 1

    clock[0] += publish.PAUSE_SECONDS + 1
    up = _Task(fails=False)
    assert publish.publish(up, n=1) is True
    assert up.calls == 1
    publish.resume()


def test_a_real_refused_broker_is_one_attempt_per_pause(broker_down, monkeypatch):
    from notifications.tasks import delivery_send_task

    attempts = []
    real = delivery_send_task.apply_async

    def counted(*args, **kwargs):
        attempts.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(delivery_send_task, "apply_async", counted)
    assert [publish.publish(delivery_send_task, delivery_id=n) for n in range(5)] == [False] * 5
    assert len(attempts) == 1


def test_nothing_publishes_a_task_but_through_the_guard():
    """Every message goes through config.publish (fail fast, never a 500, the row waits for its
    sweep): an invite once called ``.delay()`` unguarded and answered 500 with Redis down."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    calls = re.compile(r"\.(delay|apply_async|send_task)\(")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for app in ("config", "organisations", "notifications", "coordination", "referrals")
        for path in (root / app).rglob("*.py")
        if path.name != "publish.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if calls.search(line)
    ]
    assert offenders == []
