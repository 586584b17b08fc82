"""RFC 5545 recurrence rules for meetings, with python-dateutil.

Occurrences are expanded from an *aware wall-clock* DTSTART (a ``zoneinfo`` time zone attached
to the local date and time). dateutil steps in local wall time and zoneinfo gives each result the
offset in force on its own date, so a series at 10:00 stays at 10:00 local time on both sides of
a daylight-saving change, exactly as calendar applications read ``DTSTART;TZID=...`` with an
RRULE. A local time that does not exist (inside a spring-forward gap) takes the offset before
the gap (``fold=0``), which is what RFC 5545 §3.3.5 prescribes.

Rules are validated and rewritten in one canonical form before they are stored:

- only the parts meetings need (no HOURLY and finer, no BYYEARDAY/BYWEEKNO/BYHOUR...);
- UNTIL is always UTC (``...Z``), as RFC 5545 requires with a TZID start; a date or a local time
  typed by a person is read in the meeting's time zone;
- the rule must produce occurrences and DTSTART must be the first of them, so that dateutil and
  calendar applications (which always count DTSTART as an occurrence) agree.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from dateutil.rrule import rrule, rrulestr
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

UTC = datetime.UTC
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
ORDER = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "WKST")
MAX_INTERVAL = 99
MAX_COUNT = 1000
# Never expand more than this in one window (a daily series over a long window).
MAX_EXPANSION = 1000
# Meetings are planned between these years, and a series ends (UNTIL) within HORIZON of its start.
FIRST_YEAR, LAST_YEAR = 2000, 2100
HORIZON = datetime.timedelta(days=366 * 30)
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_INTEGER_LIST = re.compile(r"^[+-]?\d{1,3}(,[+-]?\d{1,3})*$")
ORDINALS = {
    1: gettext_lazy("first"),
    2: gettext_lazy("second"),
    3: gettext_lazy("third"),
    4: gettext_lazy("fourth"),
    5: gettext_lazy("fifth"),
    -1: gettext_lazy("last"),
}


class RecurrenceError(ValueError):
    """A rule that cannot be stored; the message is for the person who typed it."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Preset:
    code: str
    label: object


PRESETS = (
    Preset("none", gettext_lazy("Does not repeat")),
    Preset("weekly", gettext_lazy("Every week on the same day")),
    Preset("biweekly", gettext_lazy("Every two weeks on the same day")),
    Preset("monthly", gettext_lazy("Monthly on the same weekday (e.g. the first Tuesday)")),
    Preset("custom", gettext_lazy("Custom rule (RFC 5545 RRULE)")),
)


def nth_weekday(day: datetime.date) -> int:
    """Which occurrence of its weekday in the month the date is: 1..4, or -1 for a fifth."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth  # "the fifth Tuesday" exists only some months: say "last"


def preset_rule(preset: str, start_date: datetime.date) -> str:
    """The RRULE for a preset, anchored on the first meeting's date ('' for a single one)."""
    weekday = DAY_CODES[start_date.weekday()]
    if preset == "weekly":
        return f"FREQ=WEEKLY;BYDAY={weekday}"
    if preset == "biweekly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}"
    if preset == "monthly":
        return f"FREQ=MONTHLY;BYDAY={nth_weekday(start_date)}{weekday}"
    return ""


def preset_of(rule: str, start_date: datetime.date) -> str:
    """The preset a stored rule came from, ignoring its end (UNTIL/COUNT), else 'custom'."""
    if not rule:
        return "none"
    parts = {
        key: value for key, value in _split(rule).items() if key not in ("UNTIL", "COUNT", "WKST")
    }
    core = ";".join(f"{key}={parts[key]}" for key in ORDER if key in parts)
    for preset in ("weekly", "biweekly", "monthly"):
        if core == preset_rule(preset, start_date):
            return preset
    return "custom"


def rule_end(rule: str) -> tuple[str, str]:
    """('UNTIL', value) or ('COUNT', value) or ('', '')."""
    parts = _split(rule) if rule else {}
    for key in ("UNTIL", "COUNT"):
        if key in parts:
            return key, parts[key]
    return "", ""


def with_end(rule: str, *, until: datetime.date | None = None, count: int | None = None) -> str:
    """Add an end to a preset rule: the last day (inclusive, local) or a number of meetings."""
    if not rule:
        return rule
    if count:
        return f"{rule};COUNT={count}"
    if until:
        return f"{rule};UNTIL={until:%Y%m%d}"
    return rule


def _split(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if "\n" in text or "\r" in text:
        raise RecurrenceError(_("Write the rule on one line."))
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        if not chunk.strip():
            continue
        key, separator, value = chunk.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not separator or not value:
            raise RecurrenceError(_("Each part of the rule reads NAME=VALUE."))
        if key in parts:
            raise RecurrenceError(_("%(part)s appears twice.") % {"part": key})
        parts[key] = value
    return parts


def _until_utc(value: str, tz: datetime.tzinfo) -> str:
    """UNTIL as UTC. A date means the end of that day in the meeting's zone."""
    try:
        if re.fullmatch(r"\d{8}", value):
            day = datetime.datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a date
            local = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=tz)
        elif re.fullmatch(r"\d{8}T\d{6}Z", value):
            local = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif re.fullmatch(r"\d{8}T\d{6}", value):
            naive = datetime.datetime.strptime(value, "%Y%m%dT%H%M%S")  # noqa: DTZ007 - local
            local = naive.replace(tzinfo=tz)
        else:
            raise ValueError(value)
    except ValueError:
        raise RecurrenceError(
            _("UNTIL is a date (20261231) or a UTC time (20261231T230000Z).")
        ) from None
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _check_integer(parts: dict[str, str], key: str, low: int, high: int) -> None:
    if key not in parts:
        return
    value = parts[key]
    if not value.isdigit() or not low <= int(value) <= high:
        raise RecurrenceError(
            _("%(part)s must be a whole number from %(low)s to %(high)s.")
            % {"part": key, "low": low, "high": high}
        )


def normalise(rule: str, *, dtstart: datetime.datetime) -> str:
    """Validate a rule for a series starting at ``dtstart`` (aware wall time) and return it in
    canonical form. Raises ``RecurrenceError`` with a message for the user."""
    parts = _split(rule)
    if not parts:
        return ""
    _check_parts(parts)
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_utc(parts["UNTIL"], dtstart.tzinfo)
        until = datetime.datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if until > dtstart + HORIZON:
            raise RecurrenceError(_("End the series within 30 years (or leave it open)."))
    canonical = ";".join(f"{key}={parts[key]}" for key in ORDER if key in parts)
    _check_occurrences(canonical, parts, dtstart)
    return canonical


def _check_parts(parts: dict[str, str]) -> None:
    """Only the parts meetings need, each well formed."""
    unknown = sorted(set(parts) - set(ORDER))
    if unknown:
        raise RecurrenceError(
            _("Meetings do not support %(parts)s in a rule.") % {"parts": ", ".join(unknown)}
        )
    if parts.get("FREQ") not in FREQUENCIES:
        raise RecurrenceError(_("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY."))
    _check_integer(parts, "INTERVAL", 1, MAX_INTERVAL)
    _check_integer(parts, "COUNT", 1, MAX_COUNT)
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError(_("A rule ends with COUNT or UNTIL, not both."))
    if "BYDAY" in parts and not all(_BYDAY.match(day) for day in parts["BYDAY"].split(",")):
        raise RecurrenceError(_("BYDAY lists days such as MO, TU, 1TU or -1FR."))
    for key in ("BYMONTH", "BYMONTHDAY", "BYSETPOS"):
        if key in parts and not _INTEGER_LIST.match(parts[key]):
            raise RecurrenceError(_("%(part)s lists whole numbers.") % {"part": key})
    if "WKST" in parts and parts["WKST"] not in DAY_CODES:
        raise RecurrenceError(_("WKST is a day such as MO."))


def _check_occurrences(canonical: str, parts: dict[str, str], dtstart: datetime.datetime) -> None:
    """The rule produces meetings, and the first of them is DTSTART."""
    invalid = (ValueError, TypeError, KeyError, IndexError, OverflowError)
    probe_start = _far_future(dtstart.replace(tzinfo=None))
    pattern = ";".join(f"{k}={v}" for k, v in parts.items() if k not in ("UNTIL", "COUNT"))
    # A rule whose filters never meet (BYMONTH=2;BYMONTHDAY=30) would make dateutil search until
    # the year 9999. The probe runs the same pattern a whole number of 400-year Gregorian cycles
    # later (same weekdays, same leap years), where that search is short, before we ever iterate
    # the real rule.
    try:
        parsed = rrulestr(canonical, dtstart=dtstart)
        never = rrulestr(pattern, dtstart=probe_start).after(probe_start, inc=True) is None
        first = None if never else parsed.after(dtstart, inc=True)
    except invalid:
        raise RecurrenceError(_("This is not a valid recurrence rule.")) from None
    if never:
        raise RecurrenceError(_("This rule never produces a meeting."))
    if first is None:
        raise RecurrenceError(_("This rule ends before the first meeting."))
    if first != dtstart:
        raise RecurrenceError(
            _("The first meeting must fall on the rule: the first date it gives is %(date)s.")
            % {"date": date_format(first.date(), "SHORT_DATE_FORMAT")}
        )


def _far_future(start: datetime.datetime) -> datetime.datetime:
    """The same wall time 400·k years later, between 50 and 450 years before the year 9999."""
    cycles = (datetime.MAXYEAR - 450 - start.year) // 400 + 1
    year = start.year + 400 * cycles
    if datetime.MAXYEAR - year < 50:
        year -= 400
    return start.replace(year=year)


def rule_for(rule: str, dtstart: datetime.datetime) -> rrule:
    return rrulestr(rule, dtstart=dtstart, cache=False)


def starts_between(
    *,
    rule: str,
    dtstart: datetime.datetime,
    duration: datetime.timedelta,
    start: datetime.datetime,
    end: datetime.datetime,
) -> list[datetime.datetime]:
    """Original starts (aware, in the meeting's zone) of the sittings that overlap
    ``[start, end)``: those starting before ``end`` and ending after ``start``."""
    if not rule:
        return [dtstart] if dtstart < end and dtstart + duration > start else []
    found = []
    for occurrence in rule_for(rule, dtstart).xafter(start - duration, inc=False):
        if occurrence >= end or len(found) >= MAX_EXPANSION:
            break
        found.append(occurrence)
    return found


def is_occurrence(*, rule: str, dtstart: datetime.datetime, moment: datetime.datetime) -> bool:
    if not rule:
        return moment == dtstart
    if not dtstart <= moment < dtstart + HORIZON:
        return False  # and no search through centuries for a time typed in a URL
    return rule_for(rule, dtstart).after(moment, inc=True) == moment


def last_start(*, rule: str, dtstart: datetime.datetime) -> datetime.datetime | None:
    """The last occurrence of a series that ends (COUNT or UNTIL); None when it never ends."""
    if not rule:
        return dtstart
    kind, _value = rule_end(rule)
    if not kind:
        return None
    parsed = rule_for(rule, dtstart)
    last = None
    for last in parsed:  # noqa: B007 - bounded by COUNT or UNTIL
        pass
    return last


def stamp(moment: datetime.datetime) -> str:
    """The URL form of an original start: compact UTC, as in iCalendar."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_stamp(value: str) -> datetime.datetime | None:
    """The original start in a URL, or None when malformed or outside the years we plan in."""
    try:
        moment = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment if FIRST_YEAR <= moment.year <= LAST_YEAR else None


def describe(rule: str, *, tz: datetime.tzinfo | None = None) -> str:
    """A sentence for people: 'Monthly on the first Tuesday, until 31/12/2026'."""
    if not rule:
        return _("Does not repeat")
    parts = _split(rule)
    freq, interval = parts.get("FREQ", ""), int(parts.get("INTERVAL", "1"))
    days = parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []
    simple_keys = set(parts) - {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}
    text = ""
    if not simple_keys:
        names = []
        positions = []
        for day in days:
            match = _BYDAY.match(day)
            if match is None:
                break
            positions.append(int(match.group(1)) if match.group(1) else None)
            names.append(str(WEEKDAYS[DAY_CODES.index(match.group(2))]))
        day_list = ", ".join(names)
        if freq == "DAILY" and not days:
            text = (
                _("Every day")
                if interval == 1
                else ngettext("Every %(n)s day", "Every %(n)s days", interval) % {"n": interval}
            )
        elif freq == "WEEKLY" and days and not any(positions):
            text = (
                _("Every week on %(days)s") % {"days": day_list}
                if interval == 1
                else ngettext(
                    "Every %(n)s week on %(days)s", "Every %(n)s weeks on %(days)s", interval
                )
                % {"n": interval, "days": day_list}
            )
        elif freq == "MONTHLY" and len(days) == 1 and positions[0] in ORDINALS:
            values = {"nth": ORDINALS[positions[0]], "day": day_list, "n": interval}
            text = (
                _("Monthly on the %(nth)s %(day)s") % values
                if interval == 1
                else ngettext(
                    "Every %(n)s month on the %(nth)s %(day)s",
                    "Every %(n)s months on the %(nth)s %(day)s",
                    interval,
                )
                % values
            )
    if not text:
        return _("Custom rule: %(rule)s") % {"rule": rule}
    if "COUNT" in parts:
        text = ngettext(
            "%(text)s, %(count)s time", "%(text)s, %(count)s times", int(parts["COUNT"])
        ) % {
            "text": text,
            "count": parts["COUNT"],
        }
    elif "UNTIL" in parts:
        until = datetime.datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        local = until.astimezone(tz) if tz else until
        text = _("%(text)s, until %(date)s") % {
            "text": text,
            "date": date_format(local.date(), "SHORT_DATE_FORMAT"),
        }
    return text
