"""E-mails delivered per second through real workers (issue 13): a lost queue of
``BENCH_DELIVERIES`` due e-mails (100,000 by default), handed over by the delivery sweep to a
Celery worker with ``BENCH_WORKERS`` processes (4) on Redis, sent over SMTP to a real mail server
(aiosmtpd, in this process) that counts what it receives and any duplicate Message-ID.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... python -m benchmarks.delivery

Needs PostgreSQL and Redis (it says so and stops otherwise). Runs in a database of its own,
created and dropped here, and on a Redis database of its own (``BENCH_REDIS_DB``, 10), flushed
before and after. Prints one line and records it in ``var/bench.json`` under "delivery".
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

from benchmarks import report

DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "100000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "10"))
TIMEOUT = float(os.environ.get("BENCH_DELIVERY_TIMEOUT", "900"))
TARGET_PER_SECOND = 100_000 / 300  # 100,000 in five minutes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_environment() -> tuple[str, str, int] | str:
    """The benchmark's own database, Redis database and mail port, set in the environment before
    Django starts (the worker inherits them). A reason to stop instead, if a service is missing."""
    database = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not database.startswith(("postgres://", "postgresql://")) or not broker.startswith(
        "redis://"
    ):
        return "needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)"
    parts = urlsplit(database)
    name = f"{parts.path.lstrip('/') or 'relais'}_delivery_bench"
    broker_parts = urlsplit(broker)
    port = _free_port()
    os.environ.update(
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")),
        CELERY_BROKER_URL=urlunsplit(broker_parts._replace(path=f"/{REDIS_DB}")),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    return urlunsplit(parts._replace(path="/postgres")), name, port


def _recreate(maintenance_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')


class Sink:
    """An SMTP server that accepts everything and counts the Message-IDs it receives."""

    def __init__(self) -> None:
        self.message_ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        from email import message_from_bytes

        message_id = message_from_bytes(envelope.content).get("Message-ID", "")
        with self.lock:
            self.message_ids[message_id] += 1
        return "250 OK"


def _populate(count: int) -> None:
    """``count`` due e-mails to a thousand people, whose messages to the workers were lost."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from notifications.models import Delivery, Notification

    User = get_user_model()  # noqa: N806
    User.objects.bulk_create(
        User(username=f"reader{i:04d}", email=f"reader{i:04d}@example.org") for i in range(1000)
    )
    people = list(User.objects.order_by("pk").values_list("pk", flat=True))
    step = 5000
    for start in range(0, count, step):
        numbers = range(start, min(count, start + step))
        notifications = Notification.objects.bulk_create(
            Notification(
                recipient_id=people[n % len(people)],
                kind="referral.incoming",
                key=f"bench:{n}",
                subject=f"New referral R-{n:07d} for your organisation",
                body="A referral arrived for your organisation. Open it to accept or decline.",
                url=f"/referrals/{n}/",
                texts={},
            )
            for n in numbers
        )
        Delivery.objects.bulk_create(
            Delivery(notification=notification, key=f"bench:{n}:email", handed_at=None)
            for n, notification in zip(numbers, notifications, strict=True)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _start_worker() -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            str(WORKERS),
            "--pool",
            "prefork",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_worker(worker: subprocess.Popen) -> None:
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker stopped: {worker.stderr.read()[-2000:]}")
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError("the worker did not start within a minute")


def _drain(sink: Sink) -> dict[str, object]:
    """Start the worker, run the sweep once as the beat does, wait until everything is sent."""
    from notifications.models import Delivery, DeliveryStatus
    from notifications.services import delivery_sweep

    worker = _start_worker()
    try:
        _wait_for_worker(worker)
        start = time.perf_counter()
        delivery_sweep()  # the first run hands over what it may and queues the next at once
        handed = time.perf_counter() - start
        sent = 0
        while time.perf_counter() - start < TIMEOUT:
            sent = Delivery.objects.filter(status=DeliveryStatus.SENT).count()
            if sent >= DELIVERIES:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    received = sum(sink.message_ids.values())
    duplicates = received - len(sink.message_ids)
    rate = sent / elapsed
    return {
        "deliveries": DELIVERIES,
        "workers": WORKERS,
        "sent": sent,
        "seconds": round(elapsed, 1),
        "per_second": round(rate, 1),
        "received": received,
        "duplicates": duplicates,
        "first_sweep_seconds": round(handed, 2),
        "pass": sent == DELIVERIES and duplicates == 0 and rate >= TARGET_PER_SECOND,
    }


def run() -> dict[str, object] | None:
    prepared = _prepare_environment()
    if isinstance(prepared, str):
        print(f"  e-mails delivered through real workers: skipped, {prepared}")
        return None
    maintenance_url, name, port = prepared
    _recreate(maintenance_url, name)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    try:
        call_command("migrate", verbosity=0)
        _populate(DELIVERIES)
        with app.connection_for_write() as broker:
            broker.default_channel.client.flushdb()
        controller.start()
        result = _drain(sink)
    finally:
        controller.stop()
        connection.close()
        with app.connection_for_write() as broker:
            broker.default_channel.client.flushdb()
        _recreate(maintenance_url, name, drop_only=True)
    print(
        f"  {result['sent']:,} e-mails through {WORKERS} worker processes on Redis to an SMTP "
        f"server: {result['seconds']:.0f} s, {result['per_second']:,.0f}/s (target ≥ "
        f"{TARGET_PER_SECOND:,.0f}/s: 100,000 in 5 min) {'PASS' if result['pass'] else 'FAIL'}; "
        f"first sweep {result['first_sweep_seconds']} s; received {result['received']:,}, "
        f"{result['duplicates']} duplicates"
    )
    report.record("delivery", result)
    return result


if __name__ == "__main__":
    run()
