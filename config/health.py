"""``/health/``: which dependency answers, for load balancers and container health checks.

The database and its migrations are what the web cannot serve without: either down is a 503
(take this process out of rotation). The broker and the cache only degrade it (deliveries wait
for the sweeps; sign-in throttles fall back): 200 with ``"status": "degraded"`` and the one that is
down named, so that an operator sees it without the web being taken out for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from time import monotonic

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

_migrated = False  # once applied, they stay applied for this process's life

# A load balancer may probe every process every second: the broker's answer is kept this long,
# so that probes do not open a broker connection each (nor wait 2 s each while it is down).
BROKER_ANSWER_SECONDS = 5.0
_broker_answer: tuple[float, Exception | None] | None = None


def _database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def _migrations() -> None:
    global _migrated  # noqa: PLW0603
    if _migrated:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("migrations not applied")
    _migrated = True


def _connect_to_broker() -> None:
    from config.celery import app  # noqa: PLC0415 - only when asked

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0, timeout=2)


def _broker() -> None:
    global _broker_answer  # noqa: PLW0603
    now = monotonic()
    if _broker_answer is None or now - _broker_answer[0] >= BROKER_ANSWER_SECONDS:
        try:
            _connect_to_broker()
        except Exception as error:  # noqa: BLE001 - kept, and raised to the caller below
            _broker_answer = (now, error)
        else:
            _broker_answer = (now, None)
    if _broker_answer[1] is not None:
        raise _broker_answer[1]


def _cache() -> None:
    cache.set("relais:health", "ok", 10)
    if cache.get("relais:health") != "ok":
        raise RuntimeError("the cache does not keep what it is given")


CRITICAL: dict[str, Callable[[], None]] = {"database": _database, "migrations": _migrations}
DEGRADING: dict[str, Callable[[], None]] = {"broker": _broker, "cache": _cache}


def _run(check: Callable[[], None], name: str) -> str:
    try:
        check()
    except Exception as error:  # noqa: BLE001 - any failure is this dependency being down
        logger.warning("Health: %s is down: %s", name, error)
        return "down"
    return "ok"


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(check, name) for name, check in CRITICAL.items()}
    if checks["database"] == "down":
        checks["migrations"] = "unknown"
    checks.update({name: _run(check, name) for name, check in DEGRADING.items()})
    critical_down = any(checks[name] != "ok" for name in CRITICAL)
    degraded = any(checks[name] != "ok" for name in DEGRADING)
    status = "down" if critical_down else "degraded" if degraded else "ok"
    response = JsonResponse(
        {"status": status, "checks": checks}, status=503 if critical_down else 200
    )
    if critical_down:
        response["Retry-After"] = "15"
    return response
