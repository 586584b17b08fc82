"""The benchmarks that need the real services keep working (issue 13): a lost queue delivered
through a real Celery worker on Redis to a real SMTP server, and a mixed load against gunicorn.
CI's PostgreSQL and Redis pass runs them, small; `make bench` runs them at full size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _needs_postgresql_and_redis() -> None:
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("CI's PostgreSQL and Redis pass runs it")


def test_a_lost_queue_goes_through_a_real_worker_to_a_mail_server(tmp_path):
    _needs_postgresql_and_redis()
    out = tmp_path / "bench.json"
    environment = {
        **os.environ,
        "BENCH_DELIVERIES": "300",
        "BENCH_WORKERS": "2",
        "BENCH_JSON": str(out),
        # Its own database, named after this test's (which pytest-django made from the URL).
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        + f"/{connection.settings_dict['NAME']}",
    }
    finished = subprocess.run(
        [sys.executable, "-m", "benchmarks.delivery"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    figures = json.loads(out.read_text())["delivery"]["figures"]
    # Every e-mail reached the mail server once: none lost, none twice.
    assert figures["sent"] == figures["received"] == 300
    assert figures["duplicates"] == 0
    assert "e-mails through 2 worker processes" in finished.stdout


@pytest.mark.django_db(transaction=True)
def test_the_mixed_load_runs_against_gunicorn_without_an_error(tmp_path, monkeypatch, capsys):
    _needs_postgresql_and_redis()
    call_command(
        "seed_load", force=True, verbosity=0, organisations=8, users=300, referrals=800, meetings=0
    )
    from benchmarks import load, report

    monkeypatch.setattr(report, "PATH", tmp_path / "bench.json")
    monkeypatch.setattr(load, "CLIENTS", 4)
    monkeypatch.setattr(load, "SECONDS", 3.0)
    monkeypatch.setattr(load, "GUNICORN_WORKERS", 1)

    figures = load.run()

    assert figures["requests"] > 20
    assert figures["errors"] == 0, capsys.readouterr().out
    assert set(figures["by_kind"]) == {"list", "open", "comment", "transition"}
    assert json.loads((tmp_path / "bench.json").read_text())["mixed load"]["figures"] == figures


@pytest.mark.django_db(transaction=True)
def test_the_find_help_pages_under_load_come_from_the_cache_not_the_database(
    tmp_path, monkeypatch, capsys
):
    _needs_postgresql_and_redis()
    call_command(
        "seed_load", force=True, verbosity=0, organisations=12, users=60, referrals=200, meetings=0
    )
    from benchmarks import findhelp, load, report

    monkeypatch.setattr(report, "PATH", tmp_path / "bench.json")
    monkeypatch.setattr(findhelp, "PUBLIC", 20)
    monkeypatch.setattr(findhelp, "REQUESTS", 3)
    monkeypatch.setattr(findhelp, "CLIENTS", 4)
    monkeypatch.setattr(findhelp, "SECONDS", 3.0)
    monkeypatch.setattr(load, "GUNICORN_WORKERS", 1)
    # The server's cache: this machine's Redis, a database of its own.
    monkeypatch.setenv("CACHE_URL", settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/3")
    monkeypatch.setenv("OPEN_DATA_CACHE_SECONDS", "300")

    findhelp.main()

    figures = json.loads((tmp_path / "bench.json").read_text())["find help"]["figures"]
    cached, reference = figures["load"], figures["reference_without_cache"]
    assert figures["public_services"] == 20
    assert cached["errors"] == reference["errors"] == 0, capsys.readouterr().out
    # Under load every page came from the cache and no table of the database was read; the same
    # server without the cache rendered every page from the database.
    assert cached["served_from_cache"] > 20
    assert (cached["rendered"], cached["table_reads"]) == (0, 0)
    assert reference["rendered"] > 0
    assert reference["table_reads"] > 0
    hits = [row for row in figures["results"] if "from the cache" in row["what"]]
    assert [row["queries"] for row in hits] == [0, 0]
