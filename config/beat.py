"""Exactly one beat: the scheduler refuses to start while another beat holds the lock.

Two beats would enqueue every periodic sweep twice. The sweeps are idempotent (they claim rows
with conditional updates), so nothing would be sent twice, but the rule is enforced rather than
left to a comment: on PostgreSQL a session advisory lock, on SQLite (the embedded default) a
file lock beside the database. Either is released when the process ends, however it ends, so a
beat restarted after a crash takes it again. Each tick touches ``beat.alive`` in the var folder:
the health check (config/beatcheck.py) reads its age.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django_celery_beat.schedulers import DatabaseScheduler

from config.beatcheck import alive_file

logger = logging.getLogger(__name__)

# Any constant of our own: the key of PostgreSQL's advisory lock.
LOCK_KEY = 0x52454C414953  # "RELAIS"


class AnotherBeatIsRunning(SystemExit):
    pass


def acquire_beat_lock(alias: str = "default") -> Any | None:
    """A handle that holds the lock as long as it is kept open; None when another holds it."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        import psycopg  # noqa: PLC0415 - only with PostgreSQL

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        held = psycopg.connect(**params, autocommit=True)
        if held.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]:
            return held
        held.close()
        return None
    path = Path(settings.VAR_DIR) / "beat.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a")  # noqa: SIM115 - kept open: it is the lock
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


class SingleBeatScheduler(DatabaseScheduler):
    _lock: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if SingleBeatScheduler._lock is None:
            SingleBeatScheduler._lock = acquire_beat_lock()
            if SingleBeatScheduler._lock is None:
                message = "Another beat is running: exactly one may run. This one stops."
                logger.error(message)
                raise AnotherBeatIsRunning(message)
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        with contextlib.suppress(OSError):
            alive_file().touch()
        return interval
