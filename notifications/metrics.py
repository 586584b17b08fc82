"""The outbox, as Prometheus sees it (registered in ``config.metrics`` at start-up)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from notifications.models import Delivery, DeliveryStatus, PendingNotice


def collect() -> Iterable[GaugeMetricFamily]:
    by_status = GaugeMetricFamily(
        "relais_deliveries", "E-mail deliveries by status.", labels=["status"]
    )
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")))
    for status in DeliveryStatus.values:
        by_status.add_metric([status], counts.get(status, 0))
    yield by_status

    now = timezone.now()
    oldest = Delivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    lag = GaugeMetricFamily(
        "relais_delivery_lag_seconds", "How long the oldest due e-mail has been waiting."
    )
    lag.add_metric([], max((now - oldest).total_seconds(), 0) if oldest else 0)
    yield lag

    waiting = PendingNotice.objects.filter(done_at__isnull=True)
    notices = GaugeMetricFamily("relais_notices_waiting", "Notices not yet written by a worker.")
    notices.add_metric([], waiting.count())
    yield notices
