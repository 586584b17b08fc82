"""Configuration from the environment: bad values stop start-up with a message naming them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config import env
from config.env import ConfigError

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "a" * 50


def run_manage(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh process with exactly these variables (and a clean PATH)."""
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "RELAIS_VAR_DIR": os.environ.get("TMPDIR", "/tmp") + "/relais-settings-test",
        **variables,
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_SECRET}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": GOOD_SECRET, "ALLOWED_HOSTS": "a.example, ,b.example"}, "ALLOWED_HOSTS"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://h:notaport/db"}, "DATABASE_URL"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://user@host:5432/"}, "DATABASE_URL"),
        ({"DEBUG": "1", "CELERY_BROKER_URL": "amqp://guest@localhost//"}, "CELERY_BROKER_URL"),
        ({"DEBUG": "1", "CELERY_BROKER_URL": "redis://localhost:port/0"}, "CELERY_BROKER_URL"),
        ({"DEBUG": "1", "TIME_ZONE": "Mars/Olympus_Mons"}, "TIME_ZONE"),
        # A slow SMTP send would be taken for a dead worker's and sent twice.
        ({"DEBUG": "1", "NOTIFICATIONS_STALE_AFTER": "30"}, "NOTIFICATIONS_STALE_AFTER"),
        (
            {"DEBUG": "1", "EMAIL_TIMEOUT": "600", "NOTIFICATIONS_STALE_AFTER": "300"},
            "NOTIFICATIONS_STALE_AFTER",
        ),
    ],
)
def test_it_stops_with_a_message_naming_the_variable(variables, named):
    result = run_manage("check", **variables)

    assert result.returncode != 0
    assert f"Configuration error: {named}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_starts_in_debug_with_the_embedded_defaults():
    result = run_manage("check", DEBUG="1")

    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" + "3x!Zq9" * 10,
        ALLOWED_HOSTS="relais.example.org",
        DATABASE_URL="postgres://relais:secret@db:5432/relais",
        CELERY_BROKER_URL="redis://redis:6379/0",
        CACHE_URL="redis://redis:6379/1",
        TRUST_PROXY_HEADERS="1",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checklist_wants_a_shared_cache():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" + "3x!Zq9" * 10,
        ALLOWED_HOSTS="relais.example.org",
        DATABASE_URL="postgres://relais:secret@db:5432/relais",
        CELERY_BROKER_URL="redis://redis:6379/0",
        TRUST_PROXY_HEADERS="1",
    )
    assert result.returncode != 0
    assert "relais.W001" in result.stdout + result.stderr


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env.env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env.env_bool("FLAG", default=True) is False
    monkeypatch.delenv("FLAG")
    assert env.env_bool("FLAG", default=True) is True
    monkeypatch.setenv("FLAG", "2")
    with pytest.raises(ConfigError, match="^FLAG:"):
        env.env_bool("FLAG", default=False)


def test_it_parses_database_urls(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    config = env.env_database("DATABASE_URL", default="sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", 5432, "test")

    monkeypatch.delenv("DATABASE_URL")
    assert env.env_database("DATABASE_URL", default="sqlite:////tmp/r.db")["NAME"] == "/tmp/r.db"

    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/relais")
    with pytest.raises(ConfigError, match="^DATABASE_URL:"):
        env.env_database("DATABASE_URL", default="sqlite:///x")


def test_it_reads_lists_and_numbers(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example,b.example")
    assert env.env_list("HOSTS", default=[]) == ["a.example", "b.example"]
    monkeypatch.setenv("HOSTS", "")
    assert env.env_list("HOSTS", default=["x.example"]) == ["x.example"]
    monkeypatch.setenv("HOSTS", "a.example,,b.example")
    with pytest.raises(ConfigError, match="^HOSTS:"):
        env.env_list("HOSTS", default=[])
    monkeypatch.setenv("PORT", "twenty-five")
    with pytest.raises(ConfigError, match="^PORT:"):
        env.env_int("PORT", default=25)
    monkeypatch.setenv("PORT", "587")
    assert env.env_int("PORT", default=25) == 587


def test_it_defaults_to_tunis_time_and_aware_datetimes():
    assert settings.TIME_ZONE == "Africa/Tunis"
    assert settings.USE_TZ is True


def test_the_embedded_default_starts_without_check_warnings():
    # runserver runs the database checks too: a newcomer's first start shows no warning.
    result = run_manage("check", "--database", "default", DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr
