"""A real Celery worker process on Redis: a submitted referral reaches the receiving people in
seconds, in-app and by e-mail; a worker killed with -9 mid-delivery or a Redis outage loses
nothing and sends nothing twice.

The worker must share the test database: these tests run on PostgreSQL (CI's second pass). They
start their own Redis (``redis-server`` on a free port) so that they can stop it without
touching the machine's; without the binary they fall back to a configured Redis broker for what
needs no outage. In CI (``CI`` set) with a database the worker can reach, a missing Redis fails.
"""

from __future__ import annotations

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis as redis_client
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app
from notifications.models import Delivery, DeliveryStatus, Notification
from notifications.services import delivery_sweep
from notifications.tasks import delivery_sweep_task
from referrals.models import EventName, ReferralEvent
from referrals.tasks import referral_event_sweep_task
from tests.brokers import close_celery_pools

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SLOW_BACKEND = "tests.notifications.slow_backend.SlowFileBackend"
STALE_AFTER = 10  # seconds, for the worker and for the sweep run here
IN_CI = bool(os.environ.get("CI"))


def skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run the worker integration tests: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def stop_process(process: subprocess.Popen, *, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class PrivateRedis:
    """A throw-away redis-server on a free port, without persistence: stopping it loses what
    it held, as a crashed broker would."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self) -> None:
        self._log = (self.folder / "redis.log").open("a")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command of ours
            [
                shutil.which("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self._answers, timeout=10, what="the private Redis to answer")

    def _answers(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, (self.folder / "redis.log").read_text()
        client = redis_client.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis_client.ConnectionError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class Broker:
    def __init__(self, url: str, redis: PrivateRedis | None) -> None:
        self.url = url
        self.redis = redis

    def require_private(self) -> None:
        if self.redis is None:
            skip_or_fail("stopping Redis needs a private redis-server, and none is installed")

    def stop(self) -> None:
        assert self.redis is not None
        self.redis.stop()

    def start(self) -> None:
        assert self.redis is not None
        self.redis.start()


def worker_database_url() -> str:
    """The URL of the test database, for the worker's DATABASE_URL."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def broker(tmp_path, monkeypatch) -> Iterator[Broker]:
    """A Redis broker for the worker and for this process (made non-eager while it lasts)."""
    if connection.vendor == "sqlite":
        pytest.skip(
            "The worker process cannot share the in-memory SQLite test database; "
            "these tests run in the PostgreSQL pass (DATABASE_URL=postgres://...)."
        )
    redis = PrivateRedis(tmp_path) if shutil.which("redis-server") else None
    if redis is None and not settings.CELERY_BROKER_URL.startswith("redis"):
        skip_or_fail("no redis-server binary to run a private Redis (and no Redis broker)")
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "broker_transport_options", "task_always_eager")
    }
    try:
        if redis is not None:
            redis.start()
        # Without redis-server, the machine's Redis, which these tests never stop.
        url = redis.url if redis is not None else settings.CELERY_BROKER_URL
        close_celery_pools()
        # Celery reads the CELERY_BROKER_URL environment variable before its own setting.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        app.conf.broker_transport_options = {"visibility_timeout": 3600}
        app.conf.task_always_eager = False
        yield Broker(url, redis)
    finally:
        close_celery_pools()
        for key, value in saved.items():
            app.conf[key] = value
        if redis is not None:
            redis.stop()


class Worker:
    """``celery worker`` in a subprocess, on the broker and the test database."""

    def __init__(self, folder: Path, broker: Broker, mail_dir: Path, name: str) -> None:
        self.folder = folder
        self.broker = broker
        self.mail_dir = mail_dir
        self.name = name
        self.hostname = f"{name}-{os.getpid()}-{time.monotonic_ns()}@localhost"
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def log_path(self) -> Path:
        return self.folder / f"{self.name}.log"

    def start(self, *, email_backend: str = FILE_BACKEND) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": self.broker.url,
            "EMAIL_BACKEND": email_backend,
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "NOTIFICATIONS_STALE_AFTER": str(STALE_AFTER),
            # The stale delay must exceed the SMTP timeout (checked at start-up).
            "EMAIL_TIMEOUT": str(STALE_AFTER // 2),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "LOG_LEVEL": "INFO",
        }
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(  # noqa: S603 - our own worker command
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--hostname", self.hostname, "--loglevel", "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self._answers, timeout=120, what=f"worker {self.name} to answer")
        return self

    def _answers(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, self.log_path.read_text()
        return bool(app.control.ping(destination=[self.hostname], timeout=0.5))

    def kill(self) -> None:
        """kill -9: no warm shutdown, no acknowledgement, no cleanup."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._close_log()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


@pytest.fixture
def workers(tmp_path, broker) -> Iterator[Callable[[str], Worker]]:
    started: list[Worker] = []
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()

    def make(name: str) -> Worker:
        worker = Worker(tmp_path, broker, mail_dir, name)
        started.append(worker)
        return worker

    make.mail_dir = mail_dir
    try:
        yield make
    finally:
        for worker in started:
            worker.stop()


def emails_written(mail_dir: Path) -> list[email.message.Message]:
    """Every e-mail the worker's file backend wrote (each followed by a line of 79 dashes)."""
    return [
        email.message_from_bytes(chunk)
        for path in sorted(mail_dir.glob("*.log"))
        for chunk in path.read_bytes().split(b"-" * 79 + b"\n")
        if chunk.strip()
    ]


def addressees(mail_dir: Path) -> Counter:
    return Counter(message["To"] for message in emails_written(mail_dir))


def submit_through_the_api(world, referral) -> Any:
    client = APIClient()
    client.force_authenticate(world.sender_worker)
    return client.post(f"/api/v1/referrals/{referral.pk}/submit/", {}, format="json")


def receivers(world) -> list:
    return [world.receiver_worker, world.receiver_worker2, world.receiver_supervisor]


def one_email_each(world) -> Counter:
    return Counter({user.email: 1 for user in receivers(world)})


def all_sent(world, mail_dir: Path) -> bool:
    return addressees(mail_dir) == one_email_each(world) and not (
        Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    )


def test_a_submitted_referral_reaches_the_receivers_in_seconds(world, workers):
    workers("worker").start()
    referral = world.draft()

    started = time.monotonic()
    response = submit_through_the_api(world, referral)
    assert response.status_code == 200, response.content

    wait_for(
        lambda: all_sent(world, workers.mail_dir), timeout=15, what="the e-mails of the receivers"
    )
    assert time.monotonic() - started < 15
    in_app = Notification.objects.filter(kind="referral.incoming").select_related("recipient")
    assert sorted(n.recipient.username for n in in_app) == ["r.supervisor", "r.worker", "r.worker2"]
    assert {n.url for n in in_app} == {f"/referrals/{referral.pk}/"}
    assert ReferralEvent.objects.get(referral=referral, name=EventName.SUBMITTED).notified_at
    subjects = {m["Subject"] for m in emails_written(workers.mail_dir)}
    assert subjects == {f"New referral #{referral.pk} (Emergency shelter) from Sender CSO"}


def test_a_worker_killed_during_delivery_loses_nothing_and_sends_once(world, workers, settings):
    settings.NOTIFICATIONS_STALE_AFTER = STALE_AFTER
    first = workers("doomed").start(email_backend=SLOW_BACKEND)
    referral = world.draft()

    assert submit_through_the_api(world, referral).status_code == 200
    # The worker claimed a delivery and is inside the (slow) SMTP conversation: kill it there.
    claimed = wait_for(
        lambda: Delivery.objects.filter(status=DeliveryStatus.SENDING).first(),
        timeout=20,
        what="a delivery being sent",
    )
    first.kill()

    assert emails_written(workers.mail_dir) == []
    assert Delivery.objects.get(pk=claimed.pk).status == DeliveryStatus.SENDING
    assert Delivery.objects.count() == 3

    workers("restarted").start()
    # The beat's sweep, once the claim is older than the stale window, releases the claim and
    # hands the delivery to the new worker (with any whose task died with the old one).
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=STALE_AFTER + 1)):
        assert delivery_sweep() >= 1

    wait_for(lambda: all_sent(world, workers.mail_dir), timeout=20, what="every e-mail")
    time.sleep(1)  # anything sent twice would show up now
    assert delivery_sweep_task() == 0
    assert addressees(workers.mail_dir) == one_email_each(world)
    assert Delivery.objects.get(pk=claimed.pk).attempts == 2
    assert Notification.objects.count() == 3


def test_a_redis_outage_loses_nothing_and_sends_once(world, workers, broker):
    broker.require_private()
    referral = world.draft()
    broker.stop()

    # Submitted while the broker is down, long enough ago for the event sweep to take it.
    with time_machine.travel(timezone.now() - timezone.timedelta(seconds=31)):
        started = time.monotonic()
        response = submit_through_the_api(world, referral)
        elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert elapsed < 10
    event = ReferralEvent.objects.get(referral=referral, name=EventName.SUBMITTED)
    assert event.notified_at is None
    assert not Notification.objects.exists()

    broker.start()
    workers("worker").start()
    assert referral_event_sweep_task() >= 1
    delivery_sweep_task()  # may find the deliveries still pending: the claim sends each once

    wait_for(lambda: all_sent(world, workers.mail_dir), timeout=20, what="every e-mail")
    time.sleep(1)
    assert referral_event_sweep_task() == 0
    delivery_sweep_task()
    time.sleep(0.5)
    assert addressees(workers.mail_dir) == one_email_each(world)
    assert sorted(n.recipient.username for n in Notification.objects.all()) == [
        "r.supervisor",
        "r.worker",
        "r.worker2",
    ]
