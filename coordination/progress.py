"""Progress of a joint action plan: for each indicator and period, the actual value against the
pro-rated target, and a status. Read-only; a fixed number of queries whatever the plan's size
(reports in one query, each distinct computed source once).

The status rule (shown on the progress page, ``STATUS_RULE``): in period *k* of *n*, the
expected value is the target pro-rated, ``target × k/n`` for a count that adds up over the
periods (compared with the sum so far), ``baseline + (target − baseline) × k/n`` for a rate or a
level (compared with that period's value, so a target below the baseline works too). The share
of the expected progress achieved gives the status: at least 90 %: on track; at least 70 %: at
risk; below: off track.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coordination import indicators
from coordination.indicators import Value, Window
from coordination.models import (
    ActionPlan,
    Aggregation,
    Indicator,
    IndicatorReport,
)
from coordination.periods import Period, periods

ON_TRACK_AT = 0.9
AT_RISK_AT = 0.7


class Status(models.TextChoices):
    ON_TRACK = "on_track", pgettext_lazy("progress", "On track")
    AT_RISK = "at_risk", pgettext_lazy("progress", "At risk")
    OFF_TRACK = "off_track", pgettext_lazy("progress", "Off track")
    UPCOMING = "upcoming", pgettext_lazy("progress", "Not started")
    OPEN = "open", pgettext_lazy("progress", "In progress")
    AWAITING = "awaiting", pgettext_lazy("progress", "Report not yet due")
    LATE = "late", pgettext_lazy("progress", "Report late")
    NO_DATA = "no_data", pgettext_lazy("progress", "Nothing to measure")
    SUPPRESSED = "suppressed", pgettext_lazy("progress", "Too few to show")


JUDGED = (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)

STATUS_RULE = _(
    "In each period the target is pro-rated: a count that adds up is compared, as a running "
    "total, with the target times the share of the plan's periods gone by; a rate or a level "
    "is compared with the way from the baseline to the target, by the same share. At least "
    "90% of the expected progress: on track; at least 70%: at risk; below: off track."
)


@dataclass
class PeriodProgress:
    period: Period
    actual: Value
    expected: float
    status: str
    report: IndicatorReport | None = None
    # A count's sum so far (what its status compares); None before any value, "<5" once hidden.
    running: Value = None


@dataclass
class IndicatorProgress:
    indicator: Indicator
    periods: list[PeriodProgress] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The latest period that says something: judged, late, or hidden; else what waits."""
        for row in reversed(self.periods):
            if row.status in (*JUDGED, Status.LATE, Status.SUPPRESSED):
                return row.status
        statuses = [row.status for row in self.periods]
        for waiting in (Status.AWAITING, Status.OPEN, Status.NO_DATA):
            if waiting in statuses:
                return waiting
        return Status.UPCOMING

    @property
    def latest(self) -> PeriodProgress | None:
        measured = [row for row in self.periods if row.actual is not None]
        return measured[-1] if measured else None

    @property
    def late(self) -> list[PeriodProgress]:
        return [row for row in self.periods if row.status == Status.LATE]


def number(value: Decimal | float | int | None) -> int | float | None:
    """A Decimal as JSON shows it: whole numbers as integers."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def judge(
    *, achieved: float, expected: float, baseline: float, target: float, aggregation: str
) -> str:
    """The status of one period (see the module's rule)."""
    if aggregation == Aggregation.SUM:
        if expected <= 0:
            return Status.ON_TRACK
        ratio = achieved / expected
    elif expected == baseline:
        # A level to hold (target equal to the baseline): at it or beyond is on track.
        ratio = 1.0 if achieved >= target else 0.0
    else:
        ratio = (achieved - baseline) / (expected - baseline)
    ratio = round(ratio, 9)  # 0.9 is 0.9, not 0.8999999999999999
    if ratio >= ON_TRACK_AT:
        return Status.ON_TRACK
    if ratio >= AT_RISK_AT:
        return Status.AT_RISK
    return Status.OFF_TRACK


def tidy(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def indicator_periods(indicator: Indicator, plan: ActionPlan) -> list[Period]:
    return periods(
        plan.start_on, plan.end_on, indicator.frequency, reporting_days=plan.reporting_days
    )


def _expected(indicator: Indicator, k: int, n: int) -> float:
    baseline, target = float(indicator.baseline), float(indicator.target)
    if indicator.aggregation == Aggregation.SUM:
        return target * k / n
    return baseline + (target - baseline) * k / n


def _status(  # noqa: PLR0911 - one return per row of the rule
    indicator: Indicator,
    period: Period,
    *,
    actual: Value,
    running: float | None,
    expected: float,
    today: datetime.date,
) -> str:
    if not period.has_started(today):
        return Status.UPCOMING
    if isinstance(actual, str):
        return Status.SUPPRESSED
    if actual is None:
        if not period.has_ended(today):
            return Status.OPEN
        if indicator.source:
            return Status.NO_DATA
        return Status.LATE if today > period.due_on else Status.AWAITING
    if not period.has_ended(today):
        return Status.OPEN
    if indicator.aggregation == Aggregation.SUM:
        if running is None:
            return Status.SUPPRESSED
        achieved = running
    else:
        achieved = float(actual)
    return judge(
        achieved=achieved,
        expected=expected,
        baseline=float(indicator.baseline),
        target=float(indicator.target),
        aggregation=indicator.aggregation,
    )


def _series(
    indicator: Indicator,
    period_list: list[Period],
    actuals: dict[object, Value],
    reports: dict[object, IndicatorReport],
    today: datetime.date,
) -> IndicatorProgress:
    progress = IndicatorProgress(indicator=indicator)
    n = len(period_list)
    running: float | None = 0.0
    marker: Value = None  # the marker of the first hidden figure, shown for the sums after it
    for period in period_list:
        actual = actuals.get(period.start)
        expected = _expected(indicator, period.index, n)
        if isinstance(actual, int | float):
            running = running + actual if running is not None else None
        elif isinstance(actual, str):
            running = None  # a hidden figure: the running total cannot be shown either
            marker = marker or actual
        status = _status(
            indicator, period, actual=actual, running=running, expected=expected, today=today
        )
        shown_running: Value = None
        if indicator.aggregation == Aggregation.SUM and period.has_started(today):
            shown_running = tidy(running) if running is not None else marker
        progress.periods.append(
            PeriodProgress(
                period=period,
                actual=actual,
                expected=round(expected, 2),
                status=status,
                report=reports.get(period.start),
                running=shown_running,
            )
        )
    return progress


def _measured(source: indicators.Source, window: Window) -> dict[object, Value]:
    """A source's values, kept ``STATS_CACHE_SECONDS`` like the statistics: a progress page that
    a meeting's participants open together is measured once (and a series of a thousand
    meetings is expanded once)."""
    timeout = settings.STATS_CACHE_SECONDS
    if not timeout:
        return source.measure(window)
    parts = [
        source.key,
        window.group.pk,
        window.organisation_ids,
        window.category,
        [(p.start, p.end) for p in window.periods],
        str(window.time_zone),
        settings.STATS_MIN_CELL,
    ]
    key = "plan:source:" + hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = source.measure(window)
        cache.set(key, found, timeout)
    return found


def plan_indicators(plan: ActionPlan) -> list[Indicator]:
    current = IndicatorReport.objects.filter(superseded_at__isnull=True).select_related(
        "reported_by", "organisation"
    )
    return list(
        plan.indicators.select_related("activity__lead_organisation", "objective").prefetch_related(
            Prefetch("reports", queryset=current, to_attr="current_reports")
        )
    )


def plan_progress(
    plan: ActionPlan, *, today: datetime.date | None = None, indicator_list: list | None = None
) -> list[IndicatorProgress]:
    """Every indicator of the plan with its periods (``plan.group`` and its members loaded)."""
    tz = zoneinfo.ZoneInfo(plan.group.time_zone)
    today = today or timezone.now().astimezone(tz).date()
    organisation_ids = sorted(o.pk for o in plan.group.members.all())
    computed: dict[tuple[str, str, str], dict[object, Value]] = {}
    found = []
    for indicator in indicator_list if indicator_list is not None else plan_indicators(plan):
        period_list = indicator_periods(indicator, plan)
        reports = {r.period_start: r for r in getattr(indicator, "current_reports", [])}
        if indicator.source:
            source = indicators.get(indicator.source)
            key = (indicator.source, indicator.category, indicator.frequency)
            if key not in computed:
                computed[key] = (
                    _measured(
                        source,
                        Window(
                            group=plan.group,
                            organisation_ids=organisation_ids,
                            time_zone=tz,
                            periods=[p for p in period_list if p.has_started(today)],
                            category=indicator.category if source.uses_category else "",
                        ),
                    )
                    if source is not None
                    else {}
                )
            actuals = computed[key]
        else:
            actuals = {start: number(report.value) for start, report in reports.items()}
        found.append(_series(indicator, period_list, actuals, reports, today))
    return found


@dataclass
class PlanReview:
    """What the next meeting should look at in a plan: late reports, indicators off track."""

    plan: ActionPlan
    late: list[tuple[Indicator, PeriodProgress]]
    off_track: list[IndicatorProgress]


REVIEW_AFTER_END = datetime.timedelta(days=90)


def plans_to_review(group: object, *, today: datetime.date) -> list[PlanReview]:
    """The group's running plans (and those ended in the last three months) with their late
    reports and off-track indicators; plans with neither are left out."""
    plans = (
        ActionPlan.objects.filter(
            group=group, start_on__lte=today, end_on__gte=today - REVIEW_AFTER_END
        )
        .select_related("group")
        .prefetch_related("group__members")
        .order_by("start_on", "id")
    )
    found = []
    for plan in plans:
        series = plan_progress(plan, today=today)
        review = PlanReview(
            plan=plan,
            late=[(row.indicator, period) for row in series for period in row.late],
            off_track=[row for row in series if row.status == Status.OFF_TRACK],
        )
        if review.late or review.off_track:
            found.append(review)
    return found
