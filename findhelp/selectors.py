"""What the public "find help" pages read: the public services only (``Service.objects.public()``:
active, marked public by their organisation, never a confidential place) and the published
pathways. Nothing here reads a case, a referral or a person; the import contract keeps it so
(findhelp never imports referrals)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from coordination.models import Pathway
from coordination.selectors import published_pathways
from organisations import hours
from organisations.models import Service

CHOICES_KEY = "findhelp:choices"


@dataclass(frozen=True)
class Choices:
    """The values the filters offer: those the public directory holds."""

    categories: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


def public_services() -> QuerySet[Service]:
    return Service.objects.public().select_related("organisation")


def choices() -> Choices:
    """From the cache when it holds them (a page served from the cache runs no query at all)."""
    cached = cache.get(CHOICES_KEY)
    if cached is None:
        rows = list(public_services().values_list("category", "city", "area_served", "languages"))
        cached = Choices(
            categories=sorted({row[0] for row in rows}),
            cities=sorted({row[1] for row in rows}, key=str.casefold),
            areas=sorted({row[2] for row in rows if row[2]}, key=str.casefold),
            languages=sorted({code for row in rows for code in row[3] or []}),
        )
        cache.set(CHOICES_KEY, cached, settings.OPEN_DATA_CACHE_SECONDS)
    return cached


def directory(
    *,
    category: str = "",
    city: str = "",
    area: str = "",
    language: str = "",
    open_now: bool = False,
    at: datetime.datetime | None = None,
) -> list[Service]:
    """The public services matching the filters, each with ``open_now`` (True, False or None
    when its hours are unknown), in category, city, organisation and name order. Languages and
    hours are read in Python: the public directory is a few thousand rows at most, and its pages
    are served from the cache."""
    rows = public_services().order_by("category", "city", "organisation__name", "name")
    if category:
        rows = rows.filter(category=category)
    if city:
        rows = rows.filter(city=city)
    if area:
        rows = rows.filter(area_served=area)
    found = []
    for service in rows:
        if language and language not in (service.languages or []):
            continue
        service.open_now = hours.is_open(service.opening_hours, at)  # type: ignore[attr-defined]
        if open_now and not service.open_now:  # type: ignore[attr-defined]
            continue
        found.append(service)
    return found


def pathways(*, category: str = "", city: str = "") -> list[Pathway]:
    return list(published_pathways(category=category, city=city))
