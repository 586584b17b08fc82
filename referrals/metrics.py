"""Referral events not yet notified, as Prometheus sees them (the event sweep's lag)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from referrals.models import ReferralEvent


def collect() -> Iterable[GaugeMetricFamily]:
    waiting = ReferralEvent.objects.filter(notified_at__isnull=True).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    count = GaugeMetricFamily("relais_events_unnotified", "Referral events not yet notified.")
    count.add_metric([], waiting["n"])
    yield count
    lag = GaugeMetricFamily(
        "relais_event_lag_seconds", "How long the oldest unnotified referral event has waited."
    )
    oldest = waiting["oldest"]
    lag.add_metric([], max((timezone.now() - oldest).total_seconds(), 0) if oldest else 0)
    yield lag
