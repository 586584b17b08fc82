"""Each parallel test process (pytest-xdist) gets services of its own.

Loaded with ``-p tests.parallel`` (pyproject's addopts), so that it runs before pytest-django
loads the settings: xdist names the process (``PYTEST_XDIST_WORKER=gw1``) before the process
reads its options. pytest-django already gives each process its own test database; what the
settings read from the environment is separated here:

- Redis (broker, cache): database ``base + n`` (the stack fixture keeps database 13 for itself), so
  that a worker started by one process never takes another process's tasks;
- the embedded broker's folder: ``var/celery-gwN``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

STACK_REDIS_DATABASE = 13  # tests/stack.py


def _separate(worker: str) -> None:
    number = int(worker.removeprefix("gw"))
    for variable in ("CELERY_BROKER_URL", "CACHE_URL"):
        url = os.environ.get(variable, "")
        if url.startswith("redis"):
            parts = urlsplit(url)
            database = int(parts.path.strip("/") or 0) + number
            if database >= STACK_REDIS_DATABASE:
                raise SystemExit(f"too many test processes for Redis databases: {worker}")
            os.environ[variable] = urlunsplit(parts._replace(path=f"/{database}"))
    if "CELERY_DATA_DIR" not in os.environ:
        var = Path(os.environ.get("RELAIS_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
        os.environ["CELERY_DATA_DIR"] = str(var / f"celery-{worker}")


if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    _separate(worker)
