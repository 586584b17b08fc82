"""Names a person reads instead of codes: countries (ISO 3166-1) and languages (ISO 639), in the
reader's language, from well-kept data (django-countries for countries, CLDR through Babel for
languages)."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from django.utils import translation
from django_countries import countries


def country_name(code: str) -> str:
    """The country's name in the active language; an unknown code is returned as given."""
    if not code:
        return ""
    name = countries.name(code.upper())
    return str(name) if name else code


def country_code(text: str) -> str:
    """The ISO 3166-1 alpha-2 code for a code (alpha-2 or alpha-3) or a country's name in
    English, French or Arabic; "" when nothing matches (the caller keeps the text elsewhere)."""
    text = (text or "").strip().replace("’", "'")
    if not text:
        return ""
    if len(text) in (2, 3) and text.isalpha():
        code = countries.alpha2(text)
        if code:
            return code
    for language in ("en", "fr", "ar"):
        with translation.override(language):
            code = countries.by_name(text, language=language)
        if code:
            return str(code)
    return ""


def country_choices() -> list[tuple[str, str]]:
    """(code, name) sorted by name in the active language."""
    return [(code, str(name)) for code, name in countries]


@lru_cache(maxsize=8)
def _languages(locale: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(locale.replace("-", "_")).languages)
    except (UnknownLocaleError, ValueError):
        return dict(Locale("en").languages)


def language_name(code: str) -> str:
    """The language's name in the reader's language (CLDR), e.g. ``ar`` → "arabe" in French."""
    if not code:
        return ""
    names = _languages(translation.get_language() or "en")
    name = names.get(code) or names.get(code.split("-", maxsplit=1)[0].lower())
    return name or code


def language_names(codes: list[str] | None) -> str:
    return ", ".join(language_name(code) for code in codes or [])


# The languages people assisted and their helpers speak most around the western Mediterranean,
# first in the list; the rest follow in alphabetical order of their names.
COMMON_LANGUAGES = (
    "ar", "fr", "en", "tzm", "it", "es", "bm", "wo", "ff", "ha", "ti", "am", "so", "ln", "sw",
    "pt", "fa", "ps", "ur", "bn",
)  # fmt: skip


def language_choices() -> list:
    """(group, [(code, name)]) in the reader's language: the common languages, then all."""
    from django.utils.translation import gettext as _  # noqa: PLC0415 - at call time, translated

    names = _languages(translation.get_language() or "en")
    common = [(code, names.get(code, code)) for code in COMMON_LANGUAGES]
    others = sorted(
        (
            (code, name)
            for code, name in names.items()
            if code.isalpha() and code.islower() and code not in COMMON_LANGUAGES
        ),
        key=lambda choice: choice[1].casefold(),
    )
    return [(_("Common"), common), (_("All languages"), others)]


# Plain text has no <bdi>: a name someone typed is isolated between FIRST STRONG ISOLATE and POP
# DIRECTIONAL ISOLATE, so that a Latin name keeps its place in an Arabic sentence. Only while
# ``isolating()``: the texts shown in the pages carry the marks, the e-mails do without them
# (some mail programs show them as boxes).
FSI, PDI = "\u2068", "\u2069"
_isolating = contextvars.ContextVar("isolating", default=False)


@contextmanager
def isolating() -> Iterator[None]:
    token = _isolating.set(True)
    try:
        yield
    finally:
        _isolating.reset(token)


def isolate(value: object) -> str:
    return isolated(value) if _isolating.get() else str(value)


def isolated(value: object) -> str:
    """Always isolated: for text only a page shows (a message after a form, a field's label)."""
    text = str(value)
    return f"{FSI}{text}{PDI}" if text else text


def without_isolates(text: str) -> str:
    return text.replace(FSI, "").replace(PDI, "")
