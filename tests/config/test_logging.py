"""Structured logs with a request id that follows the work into its tasks (issue 12)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import requestid

ROOT = Path(__file__).resolve().parents[2]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(requestid.RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collect()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


def test_every_response_names_its_request(client, db):
    first = client.get("/health/")["X-Request-ID"]
    second = client.get("/health/")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_the_proxys_id_is_kept_when_plausible_and_replaced_when_not(client, db):
    assert client.get("/health/", HTTP_X_REQUEST_ID="edge-4f1c2a9b")["X-Request-ID"] == (
        "edge-4f1c2a9b"
    )
    forged = client.get("/health/", HTTP_X_REQUEST_ID="x\nINFO fake line")["X-Request-ID"]
    assert "\n" not in forged
    assert forged != "x\nINFO fake line"


def test_what_a_request_logs_carries_its_id_and_so_do_its_tasks(client, db, collected, broker_down):
    """A database health check that fails logs a warning: it carries the request's id. A task
    published meanwhile carries the id in its headers, and the worker logs under it."""
    client.get("/health/", HTTP_X_REQUEST_ID="edge-00000001")
    mine = [r for r in collected if r.name == "config.health"]
    assert mine
    assert {r.request_id for r in mine} == {"edge-00000001"}

    headers: dict = {}
    token = requestid.current.set("edge-00000002")
    try:
        requestid.add_to_task_headers(headers=headers)
    finally:
        requestid.current.reset(token)
    assert headers == {requestid.HEADER: "edge-00000002"}

    class Task:
        class request:  # noqa: N801 - the shape of celery's task.request
            relais_request_id = "edge-00000002"

    requestid.take_from_task(task=Task)
    logging.getLogger("notifications.services").warning("in the worker")
    assert collected[-1].request_id == "edge-00000002"
    requestid.current.set("-")


def test_log_format_json_writes_one_object_per_line():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "import logging; logging.getLogger('relais.test').warning('hello %s', 'there')",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1", "LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    line = next(json.loads(line) for line in result.stderr.splitlines() if "relais.test" in line)
    assert line["message"] == "hello there"
    assert line["level"] == "WARNING"
    assert line["logger"] == "relais.test"
    assert line["request_id"] == "-"
    assert "time" in line
