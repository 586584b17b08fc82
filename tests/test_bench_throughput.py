"""``make bench``'s writes per second keep working: transitions with concurrent clients (threads
with their own connections, so the rows are committed) and the broker's publish rate, which
leaves nothing in the broker."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from notifications.models import Notification
from referrals.models import Referral, State

pytestmark = pytest.mark.django_db(transaction=True)


def test_transitions_run_with_concurrent_clients_and_notify_as_the_product_does(monkeypatch):
    from benchmarks import throughput

    monkeypatch.setattr(throughput, "TRANSITIONS_PER_CLIENT", 3)
    for clients in (1, 2):
        rate = throughput.transitions(clients)
        if connection.vendor == "sqlite" and clients > 1:
            assert math.isnan(rate)  # one writer: not measured
        else:
            assert rate > 0
    measured = 3 if connection.vendor == "sqlite" else 9
    assert Referral.objects.filter(state=State.ACCEPTED).count() == measured
    # Each submission told the receiver, each acceptance the sender: inline, as measured.
    assert Notification.objects.count() == 2 * measured


def test_the_publish_rate_is_measured_on_a_queue_it_empties(monkeypatch):
    from benchmarks import throughput
    from config.celery import app

    monkeypatch.setattr(throughput, "PUBLISHED", 50)
    assert throughput.publish_rate() > 0
    with app.connection_for_write() as broker:
        assert broker.default_channel.queue_purge(throughput.BENCH_QUEUE) in (0, None)
