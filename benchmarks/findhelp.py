"""The public "find help" pages under heavy traffic (issue 14), on the load database:

    DATABASE_URL=postgres://.../relais_load python -m benchmarks.findhelp

A public directory of ``BENCH_PUBLIC_SERVICES`` (400) services is made once among the load
organisations (two per organisation, every category, opening hours in the syntax). Then:

- in this process, each page read ``BENCH_REQUESTS`` (200) times rendered afresh (the cache
  emptied before each request) and served from the cache: p50, p95, SQL queries, bytes;
- against gunicorn (the production server, ``BENCH_GUNICORN_WORKERS`` workers), ``BENCH_CLIENTS``
  (20) anonymous readers for ``BENCH_FINDHELP_SECONDS`` (10) over the pages in three languages
  and their filters: requests per second, p95, and the **table reads the database saw** during
  the load (PostgreSQL's own statistics): the pages come from the cache, not the case database.
  Beside it, the reference: the same server and load with the cache off.

Records its figures under ``find help``.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment

from benchmarks import load, report

PUBLIC = int(os.environ.get("BENCH_PUBLIC_SERVICES", "400"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_FINDHELP_SECONDS", "10"))
HOURS = "Mo-Fr 08:30-12:00,14:00-17:00; Sa 09:00-12:00; PH off"
TARGET_HIT_MS = 10.0  # p95 of a page served from the cache, in process
TARGET_BYTES = 100_000


def setup_directory() -> int:
    """Two public services per load organisation, up to ``PUBLIC`` (made once)."""
    from organisations.models import Organisation, Service, ServiceCategory

    public = Service.objects.public().count()
    if public >= PUBLIC:
        return public
    categories = list(ServiceCategory.values)
    rows = []
    for n, organisation in enumerate(Organisation.objects.order_by("pk")[: PUBLIC // 2]):
        organisation.address = organisation.address or f"{n + 1} avenue Habib Bourguiba"
        organisation.save(update_fields=["address"])
        rows.extend(
            Service(
                organisation=organisation,
                name=f"Public service {n}-{k}",
                category=categories[(2 * n + k) % len(categories)],
                description="Orientation, accompaniment and help with the public services.",
                languages=["ar", "fr", "en"][: 1 + (n + k) % 3],
                city=organisation.city,
                area_served=f"Area {n % 7}",
                opening_hours=HOURS,
                what_to_bring="Any identity paper",
                is_public=True,
            )
            for k in range(2)
        )
    Service.objects.bulk_create(rows)
    return Service.objects.public().count()


def _urls() -> list[str]:
    from findhelp.selectors import choices

    offered = choices()
    urls = []
    for language in ("en", "fr", "ar"):
        urls += [f"/find-help/{language}/", f"/find-help/{language}/pathways/"]
        urls += [f"/find-help/{language}/?category={c}" for c in offered.categories[:4]]
        urls += [f"/find-help/{language}/?{urlencode({'city': c})}" for c in offered.cities[:2]]
        urls.append(f"/find-help/{language}/?open_now=on")
    return urls


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def in_process(urls: list[str]) -> list[dict]:
    client, results = Client(), []
    for label, url, fresh in (
        ("directory, rendered afresh", urls[0], True),
        ("directory, from the cache", urls[0], False),
        ("a filtered list (Arabic), rendered afresh", urls[-2], True),
        ("a filtered list (Arabic), from the cache", urls[-2], False),
    ):
        cache.clear() if fresh else client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        count, size = len(queries), len(response.content)
        timings = []
        for _ in range(REQUESTS):
            if fresh:
                cache.clear()
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        p50, p95 = _percentiles(timings)
        passed = size < TARGET_BYTES and (fresh or (count == 0 and p95 < TARGET_HIT_MS))
        results.append(
            {
                "what": label,
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "queries": count,
                "bytes": size,
                "pass": passed,
            }
        )
        target = f"<{TARGET_BYTES // 1000} kB" + (
            "" if fresh else f", 0 SQL, p95<{TARGET_HIT_MS:.0f} ms"
        )
        print(
            f"  {label:<44} {p50:7.2f}  {p95:7.2f}  {count:7d}  {size:7d}  "
            f"{target}: {'PASS' if passed else 'FAIL'}"
        )
    return results


def _table_reads() -> int | None:
    """Scans of every table of this database so far (PostgreSQL's statistics: sequential and
    index scans; vacuum and analyze are not counted), or None on another database."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(seq_scan + COALESCE(idx_scan, 0)), 0) FROM pg_stat_user_tables"
        )
        return int(cursor.fetchone()[0])


# A backend reports its statistics when idle at most this late (PostgreSQL's
# PGSTAT_IDLE_INTERVAL), and at once when it exits.
STATS_SETTLE_SECONDS = 11.0


def _reader(
    port: int,
    urls: list[str],
    until: float,
    seed: int,
    *,
    timings: list,
    errors: list,
    tally: Counter,
) -> None:
    chance = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < until:
        url = chance.choice(urls)
        start = time.perf_counter()
        try:
            connection_.request("GET", url)
            response = connection_.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{url}: {response.status}")
            tally[response.getheader("X-Cache") or "none"] += 1
        except OSError as error:
            errors.append(f"{url}: {error}")
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        timings.append((time.perf_counter() - start) * 1000)


def under_load(urls: list[str], *, cached: bool = True, seconds: float = SECONDS) -> dict:
    """``cached=False``: the reference, the same server rendering every page."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # One cache for all the server's workers, as in production (Redis).
    os.environ.setdefault(
        "CACHE_URL", os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2")
    )
    from django.core.cache.backends.redis import RedisCache

    RedisCache(os.environ["CACHE_URL"], {}).clear()  # nothing left from an earlier run
    os.environ["OPEN_DATA_CACHE_SECONDS"] = "300" if cached else "0"
    with tempfile.TemporaryFile("w+") as log:
        server = load._serve(port, log)
        try:
            for url in urls:  # each worker renders each page once at most: warm them
                for _ in range(load.GUNICORN_WORKERS):
                    load._request(port, "GET", url, {}, None)
            # The warm-up's reads reported before counting: what follows is the load's alone.
            time.sleep(STATS_SETTLE_SECONDS if cached and connection.vendor == "postgresql" else 0)
            before = _table_reads()
            timings: list[float] = []
            errors: list[str] = []
            tally: Counter = Counter()
            until = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=_reader,
                    args=(port, urls, until, n),
                    kwargs={"timings": timings, "errors": errors, "tally": tally},
                )
                for n in range(CLIENTS)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - start
        finally:
            server.terminate()  # its connections close: their statistics are reported
            server.wait(timeout=30)
    time.sleep(0.5)
    after = _table_reads()
    p50, p95 = _percentiles(timings or [0.0])
    seen = None if before is None or after is None else after - before
    return {
        "clients": CLIENTS,
        "seconds": round(elapsed, 1),
        "requests": len(timings),
        "requests_per_s": round(len(timings) / elapsed, 1),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "errors": len(errors),
        "served_from_cache": tally["hit"],
        "rendered": tally["miss"],
        "table_reads": seen,
        "cache": os.environ["CACHE_URL"].split(":", 1)[0],
        "pass": not errors and (not cached or seen is None or seen == 0),
    }


def main() -> None:
    from referrals.models import Referral

    with contextlib.suppress(RuntimeError):  # set up already when run from the test suite
        setup_test_environment()
    public = setup_directory()
    total = Referral.objects.count()
    urls = _urls()
    print(
        f"The public find-help pages on {connection.vendor}: {public} public services, "
        f"{total} referrals in the case database; {REQUESTS} requests each\n"
    )
    print(f"  {'what':<44} {'p50':>7}  {'p95':>7}  {'queries':>7}  {'bytes':>7}  target")
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        results = in_process(urls)
    loaded = under_load(urls)
    reference = under_load(urls, cached=False, seconds=max(2.0, SECONDS / 2))
    print(
        f"\n  {CLIENTS} anonymous readers on gunicorn ({load.GUNICORN_WORKERS} workers) over "
        f"{len(urls)} pages in three languages:"
    )
    print(
        f"  {'':<26} {'req/s':>7} {'p50':>7} {'p95':>7} {'cached':>7} {'rendered':>8} {'db reads':>8}"
    )
    for label, run in (("served from the cache", loaded), ("reference: no cache", reference)):
        print(
            f"  {label:<26} {run['requests_per_s']:7.1f} {run['p50_ms']:7.1f} {run['p95_ms']:7.1f} "
            f"{run['served_from_cache']:7d} {run['rendered']:8d} {run['table_reads']!s:>8}"
        )
    ratio = loaded["requests_per_s"] / max(reference["requests_per_s"], 0.1)
    print(
        f"  {ratio:.1f}x the throughput; no table of the database read under load from the cache: "
        f"{'PASS' if loaded['pass'] else 'FAIL'} ({loaded['errors'] + reference['errors']} errors)"
    )
    out = report.record(
        "find help",
        {
            "public_services": public,
            "referrals": total,
            "results": results,
            "load": loaded,
            "reference_without_cache": reference,
        },
    )
    print(f"\nWritten to {out}")


if __name__ == "__main__":
    main()
