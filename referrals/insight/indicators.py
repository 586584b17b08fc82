"""The referral sources of a joint action plan's computed indicators (``coordination.indicators``).

Each is the statistics' own definition over the group's member organisations: a referral
counts in the period it was submitted (in the group's time zone), on the *received* side (its
receiver is a member; held by moderation or rejected, it never reached one). Every value leaves
through the statistics' disclosure control: counts 1–4 are ``"<5"`` (with complementary
suppression along the plan's periods), a share hides when its numerator or the rest does, a
median needs at least five referrals. One scan of the referrals serves the four sources and
every period; its figures are kept a few minutes, like the statistics.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils.translation import gettext_lazy as _

from coordination import indicators
from coordination.indicators import Source, Value, Window
from referrals.insight import disclosure
from referrals.insight.functions import Percentile, Seconds
from referrals.models import DeclineReason, Referral, State

DAY = 86400.0
ACCEPTED = Q(answered_at__isnull=False) & ~Q(state=State.DECLINED)


def _received(window: Window) -> QuerySet:
    """The window's received referrals, each annotated with the index of its period."""
    tz = window.time_zone
    first, last = window.periods[0].bounds(tz)[0], window.periods[-1].bounds(tz)[1]
    referrals = Referral.objects.filter(
        submitted_at__gte=first,
        submitted_at__lt=last,
        to_organisation_id__in=window.organisation_ids,
    ).exclude(state__in=[State.PENDING_MODERATION, State.REJECTED])
    if window.category:
        referrals = referrals.filter(service_category=window.category)
    return (
        referrals.annotate(period=window.period_case("submitted_at"))
        .values("period")
        .order_by("period")
    )


def _by_period(window: Window, **aggregates: object) -> dict[object, dict]:
    if not window.periods:
        return {}
    rows = {row["period"]: row for row in _received(window).annotate(**aggregates)}
    return {p.start: rows.get(p.index, {}) for p in window.periods}


def _figures(window: Window) -> dict[object, dict]:
    """Every referral figure of the window's periods in one scan, shared by the four sources and
    kept for ``STATS_CACHE_SECONDS`` like the statistics (a progress page read by a meeting's
    participants is computed once)."""
    parts = [
        window.organisation_ids,
        window.category,
        [(p.start, p.end) for p in window.periods],
        str(window.time_zone),
        disclosure.min_cell(),
    ]
    key = "insight:plan:" + hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    timeout = settings.STATS_CACHE_SECONDS
    found = cache.get(key) if timeout else None
    if found is None:
        seconds = Case(When(ACCEPTED, then=Seconds(F("answered_at"), "submitted_at")), default=None)
        found = _by_period(
            window,
            n=Count("pk"),
            completed=Count("pk", filter=Q(state=State.COMPLETED)),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            no_capacity=Count(
                "pk", filter=Q(state=State.DECLINED, decline_reason=DeclineReason.NO_CAPACITY)
            ),
            accepted=Count("pk", filter=ACCEPTED),
            median=Percentile(seconds, 0.5),
        )
        if timeout:
            cache.set(key, found, timeout)
    return found


def _protected(window: Window, figure: str) -> dict[object, Value]:
    line = {start: row.get(figure, 0) for start, row in _figures(window).items()}
    cells, _total = disclosure.protect_counts(line)
    return dict(cells)


def received(window: Window) -> dict[object, Value]:
    return _protected(window, "n")


def completed(window: Window) -> dict[object, Value]:
    return _protected(window, "completed")


def declined_no_capacity(window: Window) -> dict[object, Value]:
    """Of the referrals answered, the share declined for lack of capacity (per cent)."""
    return {
        start: disclosure.protect_rate(row.get("no_capacity", 0), row.get("answered", 0))
        for start, row in _figures(window).items()
    }


def median_days_to_accept(window: Window) -> dict[object, Value]:
    values: dict[object, Value] = {}
    for start, row in _figures(window).items():
        median = row.get("median")
        values[start] = disclosure.protect_measure(
            row.get("accepted", 0), median / DAY if median is not None else None
        )
    return values


def register() -> None:
    unit = _("referrals")
    for source in (
        Source("referrals_received", _("Referrals received"), unit, "sum", received, True),
        Source("referrals_completed", _("Referrals completed"), unit, "sum", completed, True),
        Source(
            "declined_no_capacity",
            _("Share declined for lack of capacity"),
            "%",
            "latest",
            declined_no_capacity,
            True,
        ),
        Source(
            "median_days_to_accept",
            _("Median days to accept"),
            _("days"),
            "latest",
            median_days_to_accept,
            True,
        ),
    ):
        indicators.register(source)
