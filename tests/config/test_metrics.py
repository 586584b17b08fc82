"""/metrics for Prometheus (issue 12): request latency, the outbox and the sweeps' lag, only
for the bearer of METRICS_TOKEN."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications.models import Delivery, DeliveryStatus
from notifications.services import notify
from referrals.models import EventName
from tests.notifications.conftest import message_for
from tests.referrals.conftest import build_world


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = "scrape-" + "x" * 32
    return settings.METRICS_TOKEN


def _scrape(client, token):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_without_the_token_there_is_no_page(client, db, token, settings):
    assert client.get("/metrics").status_code == 404
    assert _scrape(client, "wrong").status_code == 404
    settings.METRICS_TOKEN = ""
    assert _scrape(client, "").status_code == 404


def test_the_outbox_and_its_lag_are_measured(client, db, token):
    world = build_world()
    event = world.referral().events.get(name=EventName.SUBMITTED)
    notify(recipients=[world.receiver_worker], message=message_for(event))
    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=5))
    client.get("/health/")  # a request to count

    response = _scrape(client, token)

    assert response.status_code == 200
    text = response.content.decode()
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    assert f'relais_deliveries{{status="pending"}} {float(pending)}' in text
    lag = next(line for line in text.splitlines() if line.startswith("relais_delivery_lag_seconds"))
    assert float(lag.split()[1]) >= 300
    assert "relais_events_unnotified" in text
    assert "relais_queue_depth" in text
    assert "django_http_requests_latency_seconds_by_view_method" in text
