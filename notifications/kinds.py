"""The kinds of notification, registered by the apps that produce them (in ``AppConfig.ready``).

The registry gives the preferences page its labels and each kind's e-mail default.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # a lazy translation
    email_by_default: bool = True


_KINDS: dict[str, Kind] = {}


def register(code: str, label: object, *, email_by_default: bool = True) -> None:
    _KINDS[code] = Kind(code=code, label=label, email_by_default=email_by_default)


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())


def get(code: str) -> Kind | None:
    return _KINDS.get(code)
