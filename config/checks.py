"""Deployment checks of our own, run by ``manage.py check --deploy``."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def shared_cache(app_configs: object, **kwargs: object) -> list[checks.CheckMessage]:
    """The API sign-in throttle counts in the cache: a per-process cache gives an attacker one
    fresh budget per web process, and each process its own statistics cache."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Warning(
                "The cache is per process (CACHE_URL=locmem://): sign-in throttles are not "
                "shared between web processes.",
                hint="Set CACHE_URL=redis://host:6379/1 (docker-compose.yml does).",
                id="relais.W001",
            )
        ]
    return []
