"""Hand a task to the broker without ever making a request wait on it.

The database rows are the outbox (deliveries, referral events, welcome e-mails): a message only
says "there is work". When the broker cannot be reached, publishing fails at once (no retries,
a short connection timeout) and is not tried again for ``PAUSE_SECONDS``: a request that would
publish ten messages pays for one refused connection, not ten, and the sweeps send what waits.
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import Any

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 10.0
_paused_until = 0.0


def publish(task: Any, *, patient: bool = False, **kwargs: Any) -> bool:
    """Enqueue ``task(**kwargs)``; False when the broker is down (the sweep will do it).

    ``patient``: a sweep, in a worker, tries even during a pause (the broker may be back; the
    sweep stops at its first refusal)."""
    global _paused_until  # noqa: PLW0603 - one pause per process, as there is one broker
    if not patient and monotonic() < _paused_until:
        return False
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure: the row waits for its sweep
        _paused_until = monotonic() + PAUSE_SECONDS
        logger.warning(
            "Broker unavailable (%s): %s waits for its sweep; not tried again for %s s",
            error,
            task.name,
            PAUSE_SECONDS,
        )
        return False
    _paused_until = 0.0
    return True


def resume() -> None:
    """Forget a pause (the broker is known to be back; tests)."""
    global _paused_until  # noqa: PLW0603
    _paused_until = 0.0
