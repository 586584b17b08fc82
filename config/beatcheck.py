"""The beat's health check, one rule for the container and the code: the beat touches
``beat.alive`` in the var folder at every tick (at least every 5 seconds), so a file older than a
minute means a beat that hangs or is gone.

``python -m config.beatcheck`` exits 0 while the beat ticks, 1 otherwise (docker-compose's
health check). It reads the settings only, without starting Django's applications.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

MAX_AGE_SECONDS = 60.0


def alive_file() -> Path:
    from django.conf import settings  # noqa: PLC0415 - read when called, settings may change

    return Path(settings.VAR_DIR) / "beat.alive"


def beat_is_alive(max_age: float = MAX_AGE_SECONDS) -> bool:
    try:
        return time.time() - os.path.getmtime(alive_file()) < max_age
    except OSError:
        return False


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.exit(0 if beat_is_alive() else 1)
