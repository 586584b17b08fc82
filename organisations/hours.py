"""Opening hours, written in the OpenStreetMap syntax that map applications already read
("Mo-Fr 08:30-12:00,14:00-17:00; Sa 09:00-12:00; PH off") and parsed by the ``opening_hours``
library: validated when an organisation enters them, read in the directory's time zone
(``TIME_ZONE``) with the public holidays of ``DIRECTORY_COUNTRY`` ("PH off"), so that a page can
say whether a service is open now and write its week out in the reader's language.

A value written before the rule existed ("Mon–Fri 08:30–16:30") is shown as written and never
called open or closed: ``is_open`` is ``None`` when nothing can be known.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import opening_hours
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opening_hours import OpeningHours, State

# Raised by the library, missing from its type stubs.
ParserError: type[Exception] = opening_hours.ParserError  # type: ignore[attr-defined]
UnknownCountryError: type[Exception] = opening_hours.UnknownCountryError  # type: ignore[attr-defined]

EXAMPLE = "Mo-Fr 08:30-12:00,14:00-17:00; Sa 09:00-12:00; PH off"
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Dates and times the library is asked about are naive, in the directory's time zone.
_DAY = datetime.timedelta(days=1)
_HORIZON = 7 * _DAY


@dataclass(frozen=True)
class Day:
    date: datetime.date
    ranges: tuple[tuple[datetime.time, datetime.time], ...]  # an end of 00:00 is midnight


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=4096)
def _parse(rule: str, country: str) -> OpeningHours | None:
    if not rule.strip():
        return None
    try:
        return OpeningHours(rule, country=country)
    except UnknownCountryError:  # no holiday calendar for the country: "PH" is then unknown
        return OpeningHours(rule)
    except (ParserError, SyntaxError, ValueError):
        return None


@lru_cache(maxsize=4096)
def _plain(rule: str) -> OpeningHours:
    """A rule already known to parse, without the holiday calendar: the usual week."""
    return OpeningHours(rule)


def parse(rule: str) -> OpeningHours | None:
    """The rule, or ``None`` when it is empty or not in the syntax (an older free-text value)."""
    return _parse(rule or "", settings.DIRECTORY_COUNTRY)


def validate_opening_hours(value: str) -> None:
    """A model field validator: an empty value, or a rule the library reads."""
    if value.strip() and parse(value) is None:
        raise ValidationError(
            _(
                "Write the hours as map applications read them, for example %(example)s "
                "(days Mo Tu We Th Fr Sa Su, 24-hour times, “PH off”: closed on public holidays)."
            ),
            code="opening_hours",
            params={"example": EXAMPLE},
        )


def _local(moment: datetime.datetime | None) -> datetime.datetime:
    return timezone.localtime(moment or timezone.now(), _zone()).replace(tzinfo=None)


def is_open(rule: str, at: datetime.datetime | None = None) -> bool | None:
    """Open at ``at`` (now by default)? ``None`` when the hours are unknown or not in the syntax."""
    hours = parse(rule)
    if hours is None:
        return None
    state = hours.state(_local(at))[0]
    return None if state == State.UNKNOWN else state == State.OPEN


def _days(hours: OpeningHours, first: datetime.date) -> list[Day]:
    begin = datetime.datetime.combine(first, datetime.time())
    days: dict[datetime.date, list[tuple[datetime.time, datetime.time]]] = {
        first + datetime.timedelta(days=n): [] for n in range(7)
    }
    for opens, closes, state, _comment in hours.intervals(begin, begin + _HORIZON):
        if state != State.OPEN:
            continue
        # An interval running past midnight is split into the days it covers.
        start = opens
        while start < closes:
            end = min(closes, datetime.datetime.combine(start.date(), datetime.time()) + _DAY)
            if start.date() in days:
                days[start.date()].append((start.time(), end.time()))
            start = end
    return [Day(date, tuple(ranges)) for date, ranges in days.items()]


def week(rule: str, start: datetime.date | None = None) -> list[Day]:
    """The seven days from ``start`` (today by default), each with its opening ranges (none on a
    day it is closed, public holidays included); empty when the rule cannot be read."""
    hours = parse(rule)
    return [] if hours is None else _days(hours, start or _local(None).date())


def weekly_pattern(rule: str) -> list[tuple[list[str], datetime.time, datetime.time]]:
    """The rule as weekly ranges for open data (HSDS schedules: ``byday``, ``opens_at``,
    ``closes_at``), read off the coming Monday-to-Sunday week without the holiday calendar:
    the days sharing a range are grouped, in week order."""
    if parse(rule) is None:
        return []
    today = _local(None).date()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    ranges: dict[tuple[datetime.time, datetime.time], list[str]] = {}
    for day in _days(_plain(rule), monday):
        for opens, closes in day.ranges:
            ranges.setdefault((opens, closes), []).append(DAYS[day.date.weekday()])
    return [(days, opens, closes) for (opens, closes), days in ranges.items()]


def legacy_to_rule(text: str) -> str:
    """An older free-text value in the syntax when it only spelt the days the English way
    ("Mon–Fri 08:30–16:30" -> "Mo-Fr 08:30-16:30"); the text unchanged otherwise."""
    candidate = text.replace("–", "-").replace("—", "-")
    for long, short in (
        ("Mon", "Mo"), ("Tue", "Tu"), ("Wed", "We"), ("Thu", "Th"),
        ("Fri", "Fr"), ("Sat", "Sa"), ("Sun", "Su"),
    ):  # fmt: skip
        candidate = candidate.replace(long, short)
    return candidate if parse(candidate) is not None else text
