"""A real Celery worker starts on the configured broker (embedded filesystem, or Redis in CI)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def test_a_real_worker_answers_on_the_configured_broker(tmp_path):
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    hostname = f"relais-test-{os.getpid()}@localhost"
    worker = subprocess.Popen(  # noqa: S603 - our own worker command
        [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool", "solo", "--without-gossip", "--without-mingle",
            "--hostname", hostname, "--loglevel", "WARNING",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        replies: list = []
        deadline = time.monotonic() + 30
        while not replies and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read()
            replies = app.control.ping(destination=[hostname], timeout=1.0)
        assert replies == [{hostname: {"ok": "pong"}}]
    finally:
        worker.terminate()
        worker.communicate(timeout=20)
