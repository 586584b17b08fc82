"""Statistical disclosure control: no figure lets anyone single out a person.

The rule, applied to every count of people or referrals that leaves the database (web page,
CSV, API):

1. **Months, never days.** A period is whole calendar months in the scope's time zone; any date
   given is widened to its month. Two periods that differ by a day (or by anything short of a
   month) give identical answers, so no one can subtract them to isolate one day's cases.
2. **Primary suppression.** A count from 1 to ``STATS_MIN_CELL - 1`` is shown as the marker
   ``"<5"`` (for the default threshold of 5). Zero is shown: it tells nothing about a person.
3. **Complementary suppression.** In every line of figures whose total is published (a table
   and its total, each row and each column of a cross-table), if some cells are hidden, the
   smallest other cells are hidden too until the hidden cells are at least two, add up to at
   least the threshold, and do not add up to exactly their number (so that "all ones" cannot
   be deduced). Hidden cells all carry the same marker, so which cell is the small one is unknown.
   A line that cannot be protected that way hides its total too.
4. **Derived figures.** A rate is hidden when its numerator or the rest of its denominator is
   hidden; a median or percentile is given only over at least ``STATS_MIN_CELL`` referrals.
5. **No identifiers.** Tables carry categories, organisations and months: never a case id, a
   reference, a name, free text, or a date finer than the month.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings

from referrals.insight.tables import Cell

K = TypeVar("K", bound=Hashable)


def min_cell() -> int:
    return settings.STATS_MIN_CELL


def marker() -> str:
    return f"<{min_cell()}"


def is_small(value: int) -> bool:
    return 0 < value < min_cell()


def shown(value: int, hidden: bool) -> Cell:
    return marker() if hidden else value


def _line_safe(values: dict[K, int], hidden: set[K]) -> bool:
    if not hidden:
        return True
    total_hidden = sum(values[key] for key in hidden)
    return len(hidden) >= 2 and total_hidden >= min_cell() and total_hidden != len(hidden)


def complement(values: dict[K, int], hidden: Iterable[K]) -> tuple[set[K], bool]:
    """Hide more cells of one line until its hidden cells cannot be recovered from its total.

    Returns the hidden keys and whether the line is safe (False: its total must be hidden).
    Smallest non-zero cells go first, then zeros.
    """
    hidden = set(hidden)
    if not hidden:
        return hidden, True
    candidates = sorted(
        (key for key in values if key not in hidden),
        key=lambda key: (values[key] == 0, values[key], str(key)),
    )
    for key in candidates:
        if _line_safe(values, hidden):
            break
        hidden.add(key)
    return hidden, _line_safe(values, hidden)


def protect_counts(counts: dict[K, int]) -> tuple[dict[K, Cell], Cell]:
    """A one-way table of counts and its total, protected (rules 2 and 3)."""
    total = sum(counts.values())
    hidden, safe = complement(counts, [key for key, value in counts.items() if is_small(value)])
    cells = {key: shown(value, key in hidden) for key, value in counts.items()}
    return cells, shown(total, is_small(total) or not safe)


def protect_grid(
    counts: dict[tuple[K, K], int], rows: list[K], columns: list[K]
) -> tuple[dict[tuple[K, K], Cell], dict[K, Cell], dict[K, Cell]]:
    """A two-way table (rows × columns) with row and column totals, protected line by line
    until no line changes. Returns (cells, row totals, column totals)."""
    value = {(r, c): counts.get((r, c), 0) for r in rows for c in columns}
    hidden = {cell for cell, n in value.items() if is_small(n)}

    def line(axis: int, key: K) -> dict[tuple[K, K], int]:
        cells = [(key, c) for c in columns] if axis == 0 else [(r, key) for r in rows]
        return {cell: value[cell] for cell in cells}

    changed = True
    while changed:
        changed = False
        for axis, keys in ((0, rows), (1, columns)):
            for key in keys:
                values = line(axis, key)
                now_hidden, _safe = complement(values, [c for c in values if c in hidden])
                if now_hidden - hidden:
                    hidden |= now_hidden
                    changed = True
    unsafe_rows = {r for r in rows if not _line_safe(line(0, r), hidden & line(0, r).keys())}
    unsafe_columns = {c for c in columns if not _line_safe(line(1, c), hidden & line(1, c).keys())}
    cells = {key: shown(n, key in hidden) for key, n in value.items()}
    row_totals = {}
    for r in rows:
        total = sum(value[(r, c)] for c in columns)
        row_totals[r] = shown(total, is_small(total) or r in unsafe_rows)
    column_totals = {}
    for c in columns:
        total = sum(value[(r, c)] for r in rows)
        column_totals[c] = shown(total, is_small(total) or c in unsafe_columns)
    return cells, row_totals, column_totals


def protect_rate(numerator: int, denominator: int) -> Cell:
    """A percentage (whole number), hidden when it would reveal a small count (rule 4)."""
    if denominator == 0:
        return None
    rest = denominator - numerator
    if is_small(numerator) or is_small(rest) or denominator < min_cell():
        return marker()
    return round(100 * numerator / denominator)


def protect_measure(count: int, value: float | None) -> Cell:
    """A median or percentile over ``count`` referrals, given only over enough of them."""
    if value is None or count == 0:
        return None
    if count < min_cell():
        return marker()
    return round(value, 1)


# Periods (rule 1) -------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def period_bounds(
    first: datetime.date, last: datetime.date, time_zone: ZoneInfo
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start of ``first``'s month, start of the month after ``last``) as aware datetimes."""
    start = datetime.datetime.combine(month_start(first), datetime.time(), tzinfo=time_zone)
    end = datetime.datetime.combine(next_month(last), datetime.time(), tzinfo=time_zone)
    return start, end


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months = []
    month = month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months
