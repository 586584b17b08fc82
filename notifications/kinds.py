"""The kinds of notification, registered by the apps that produce them (in ``AppConfig.ready``).

The registry gives the preferences page its labels and each kind's e-mail default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # a lazy translation
    email_by_default: bool = True
    # False: always by e-mail, not offered on the preferences page (an account's welcome).
    choosable: bool = True
    # True: a person may choose not to be told at all (a summary they can do without).
    silenceable: bool = False
    # The e-mail's link, made when it is sent (a set-password link is never stored); None from
    # it means the e-mail is no longer needed. Unset: the notification's own page.
    email_link: Callable[[Any], str | None] | None = None
    link_label: object = None


_KINDS: dict[str, Kind] = {}


def register(
    code: str,
    label: object,
    *,
    email_by_default: bool = True,
    choosable: bool = True,
    silenceable: bool = False,
    email_link: Callable[[Any], str | None] | None = None,
    link_label: object = None,
) -> None:
    _KINDS[code] = Kind(
        code=code,
        label=label,
        email_by_default=email_by_default,
        choosable=choosable,
        silenceable=silenceable,
        email_link=email_link,
        link_label=link_label,
    )


def all_kinds() -> list[Kind]:
    """The kinds a person chooses to receive by e-mail or not (the preferences page)."""
    return [kind for kind in _KINDS.values() if kind.choosable]


def silenceable_kinds() -> list[Kind]:
    """The kinds a person may turn off altogether (neither in the app nor by e-mail)."""
    return [kind for kind in all_kinds() if kind.silenceable]


def get(code: str) -> Kind | None:
    return _KINDS.get(code)
