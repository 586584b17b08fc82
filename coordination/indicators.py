"""Computed indicators: a registry of sources the platform measures itself.

Coordination never imports referrals (DESIGN.md). Each app registers the sources it can measure
from its own records when it is loaded: coordination its meetings and action items
(``coordination.indicator_sources``), referrals its referrals through the insight statistics
(``referrals.insight.indicators``), with the statistics' disclosure control. A plan's indicator
names a source by its key; the progress page asks the source for every period at once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, When
from django.db.models import Value as Constant

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from coordination.models import CoordinationGroup
    from coordination.periods import Period

# A period's value: a number, None (nothing to measure yet) or a disclosure marker ("<5").
Value = int | float | str | None


@dataclass(frozen=True)
class Window:
    """What a source measures: the group's member organisations over these periods."""

    group: CoordinationGroup
    organisation_ids: list[int]
    time_zone: zoneinfo.ZoneInfo
    periods: list[Period]
    category: str = ""

    def period_case(self, field: str) -> Case:
        """In SQL, the index of the period a moment (``field``) falls in, in the group's time
        zone; NULL outside them. Sources group by it: one query for every period."""
        whens = []
        for period in self.periods:
            start, end = period.bounds(self.time_zone)
            whens.append(
                When(**{f"{field}__gte": start, f"{field}__lt": end}, then=Constant(period.index))
            )
        return Case(*whens, output_field=IntegerField())


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    unit: str | Promise
    aggregation: str  # "sum" (a count per period) or "latest" (a rate, a median)
    measure: Callable[[Window], dict[object, Value]]  # period start -> value, in a few queries
    uses_category: bool = False


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    _SOURCES[source.key] = source


def get(key: str) -> Source | None:
    return _SOURCES.get(key)


def choices() -> list[tuple[str, str]]:
    return [(key, str(source.label)) for key, source in sorted(_SOURCES.items())]


def keys() -> list[str]:
    return sorted(_SOURCES)
