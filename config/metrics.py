"""``/metrics`` for Prometheus: request latency and counts (django-prometheus), and what the
apps register here about their work (outbox pending and failed, sweep lag, queue depth).

Protected: served only with ``Authorization: Bearer <METRICS_TOKEN>``; without a token set, the
page does not exist (404). With several gunicorn workers, set ``PROMETHEUS_MULTIPROC_DIR`` to a
writable folder shared by them, as prometheus_client asks, so that a scrape sees them all.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# What the apps measure at scrape time (database counts: cheap, indexed, one process).
WORK = CollectorRegistry()


class _Collector:
    def __init__(self, collect: Callable[[], Iterable[GaugeMetricFamily]]) -> None:
        self.collect = collect

    def describe(self) -> list:
        return []  # registering must not query the database (it happens at start-up)


def register(collect: Callable[[], Iterable[GaugeMetricFamily]]) -> None:
    """An app's gauges, computed when Prometheus scrapes (``AppConfig.ready``)."""
    WORK.register(_Collector(collect))


def queue_depth() -> Iterable[GaugeMetricFamily]:
    """Messages waiting in the broker's default queue."""
    from config.celery import app  # noqa: PLC0415 - only when scraped

    gauge = GaugeMetricFamily("relais_queue_depth", "Messages waiting in the broker's queue.")
    try:
        options = app.conf.broker_transport_options or {}
        if options.get("data_folder_in"):
            depth = sum(1 for p in Path(options["data_folder_in"]).glob("*.msg"))
        else:
            with app.connection_for_read() as connection:
                depth = connection.default_channel.client.llen("celery")
    except Exception:  # noqa: BLE001 - a broker that is down has no depth to report
        depth = float("nan")
    gauge.add_metric([], depth)
    yield gauge


register(queue_depth)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        requests = generate_latest(processes)
    else:
        requests = generate_latest(REGISTRY)
    return HttpResponse(requests + generate_latest(WORK), content_type=CONTENT_TYPE_LATEST)
