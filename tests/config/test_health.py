"""/health/ names the dependency that is down (issue 12): the database or its migrations take
the process out of rotation (503); the broker or the cache only degrade it (200, named)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from config import health


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(health, "_broker_answer", None)


def _outage(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


def test_everything_answers(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok", "cache": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_database_down_is_a_503_naming_it(client, db):
    with connection.execute_wrapper(_outage):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["checks"]["database"] == "down"
    assert response.json()["status"] == "down"


def test_migrations_not_applied_are_a_503(client, db, monkeypatch):
    """The suite's database is built without migrations (pytest-django): the executor is told
    what a database one migration behind answers. The stack test reads a real one."""

    class OneBehind(health.MigrationExecutor):
        def migration_plan(self, targets, clean_start=False):
            return [("notifications.0002_pending_notice", False)]

    monkeypatch.setattr(health, "MigrationExecutor", OneBehind)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "down"


def test_a_broker_down_degrades_but_keeps_the_web_in_rotation(client, db, broker_down):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"] == "down"


def test_a_cache_down_degrades_too(client, db):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "down"


def test_probes_in_quick_succession_share_one_broker_connection(client, db, monkeypatch):
    """A load balancer probing each process every second must not open a broker connection (or
    wait out a connect timeout while it is down) each time."""
    connections, now = [], [1000.0]
    real = health._connect_to_broker
    monkeypatch.setattr(health, "_connect_to_broker", lambda: connections.append(1) or real())
    monkeypatch.setattr(health, "monotonic", lambda: now[0])

    for _ in range(3):
        assert client.get("/health/").json()["checks"]["broker"] == "ok"
        now[0] += 1
    assert len(connections) == 1
    now[0] += health.BROKER_ANSWER_SECONDS
    assert client.get("/health/").json()["checks"]["broker"] == "ok"
    assert len(connections) == 2


def test_a_broker_down_stays_reported_down_between_probes(client, db, broker_down, monkeypatch):
    monkeypatch.setattr(health, "monotonic", lambda: 1000.0)
    for _ in range(2):
        assert client.get("/health/").json()["checks"]["broker"] == "down"
