"""Helpers for tests that talk to a real broker from the test process."""

from __future__ import annotations

import kombu.pools

from config.celery import app


def close_celery_pools() -> None:
    """Close every broker connection of this process and forget the pools, so that the next
    use connects to the broker now configured (kombu keeps its pools per connection URL)."""
    kombu.pools.reset()
    # Celery caches its pools on the app and offers no reset.
    app._pool = None
    app.amqp._producer_pool = None
