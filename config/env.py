"""Read configuration from the environment, failing loudly on bad values.

Every helper raises :class:`ConfigError` with a message that names the variable, so that a
deployment with a typo stops at start-up instead of running half-configured.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}
DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}
BROKER_SCHEMES = {"filesystem", "redis", "rediss", "memory"}


class ConfigError(ImproperlyConfigured):
    """A missing or malformed environment variable."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(f"{name}: {problem}")


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if default is None:
            raise ConfigError(name, "is required but not set.")
        return default
    return value.strip()


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ConfigError(name, f"expected one of 1/0, true/false, yes/no, on/off; got {value!r}.")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"expected a whole number; got {value!r}.") from None
    if number < minimum:
        raise ConfigError(name, f"must be at least {minimum}; got {number}.")
    return number


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item or " " in item for item in items):
        raise ConfigError(
            name,
            f"expected a comma-separated list without blanks (a.example,b.example); got {value!r}.",
        )
    return items


def env_database(name: str, *, default: str) -> dict:
    url = os.environ.get(name, "").strip() or default
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ConfigError(
            name,
            f"expected postgres://user:password@host:port/name or sqlite:///path; got {url!r}.",
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, dj_database_url.ParseError) as exc:
        raise ConfigError(name, f"could not be parsed ({exc}).") from None
    if not config.get("NAME"):
        raise ConfigError(name, "names no database (the path part of the URL is empty).")
    return config


def env_broker_url(name: str, *, default: str) -> str:
    url = os.environ.get(name, "").strip() or default
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise ConfigError(name, f"could not be parsed ({exc}).") from None
    if parts.scheme not in BROKER_SCHEMES:
        raise ConfigError(
            name, f"expected redis://host:port/db or filesystem:// (embedded); got {url!r}."
        )
    if parts.scheme.startswith("redis") and not parts.hostname:
        raise ConfigError(name, f"names no Redis host; got {url!r}.")
    return url
