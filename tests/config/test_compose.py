"""The deployment users run (docker-compose.yml): migrations once, one beat, health checks."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def test_migrations_run_once_before_web_worker_and_beat():
    assert "migrate" in _command(SERVICES["migrate"])
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert "migrate" not in _command(SERVICES[name]), name
        condition = SERVICES[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_one_beat_and_health_checks_for_every_long_running_service():
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    for name in ("db", "redis", "web", "worker", "beat"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "inspect ping" in " ".join(SERVICES["worker"]["healthcheck"]["test"])
    assert SERVICES["beat"]["healthcheck"]["test"][1:] == ["python", "-m", "config.beatcheck"]


def test_redis_keeps_its_queue_across_a_restart():
    assert "--appendonly" in SERVICES["redis"]["command"]
