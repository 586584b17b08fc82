"""A real Celery worker starts on the configured broker (embedded filesystem, or Redis in CI)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from config.celery import app
from tests.brokers import close_celery_pools

ROOT = Path(__file__).resolve().parents[2]

# A worker imports Django and every app before it listens: seconds here, and far longer on a
# loaded CI machine running another test process beside it. The wait ends at the first answer.
STARTS_WITHIN = 120


def test_a_real_worker_answers_on_the_configured_broker(tmp_path):
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    # Connections an earlier test left in this process's pools (a broker it stopped, a URL it
    # set and restored) are dropped: the ping goes to the broker configured now.
    close_celery_pools()
    hostname = f"relais-test-{os.getpid()}-{time.monotonic_ns()}@localhost"
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(  # noqa: S603 - our own worker command
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--pool", "solo", "--without-gossip", "--without-mingle",
                "--hostname", hostname, "--loglevel", "INFO",
            ],
            cwd=ROOT,
            env={**os.environ},
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        replies: list = []
        started = time.monotonic()
        while not replies and time.monotonic() - started < STARTS_WITHIN:
            assert worker.poll() is None, log.read_text()
            replies = app.control.ping(destination=[hostname], timeout=1.0)
        waited = time.monotonic() - started
        assert replies == [{hostname: {"ok": "pong"}}], (
            f"no answer after {waited:.0f} s; the worker's log:\n{log.read_text()[-4000:]}"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
