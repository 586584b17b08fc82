"""Reminders of indicator reports: before a period's report is due, and once it is late.

Found by a periodic sweep over the reported indicators of plans in their reporting window (a
handful of plans, whatever the number of referrals), claimed by inserting a ``ReportReminder``
whose unique key lets two sweeps send each reminder once. Periods due before the plan was
written are never chased: a plan entered in June does not send five late notices at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from coordination import notifications, permissions
from coordination.models import (
    ActionPlan,
    Indicator,
    IndicatorReport,
    ReportReminder,
    ReportReminderKind,
)
from coordination.periods import Period, periods

DUE_SOON_DAYS = 3  # the first reminder, before the due date
LATE_FOR_DAYS = 60  # a late report is chased once, if it became late in this window


@dataclass(frozen=True)
class DueReport:
    indicator_id: int
    period_start: datetime.date
    kind: str


def _today(plan: ActionPlan, now: datetime.datetime) -> datetime.date:
    return now.astimezone(permissions.group_zone(plan.group)).date()


def _kind(period: Period, today: datetime.date, written_on: datetime.date) -> str | None:
    if period.due_on < written_on:
        return None
    if period.has_ended(today) and period.due_on - datetime.timedelta(DUE_SOON_DAYS) <= today:
        if today <= period.due_on:
            return ReportReminderKind.DUE_SOON
        if today <= period.due_on + datetime.timedelta(LATE_FOR_DAYS):
            return ReportReminderKind.LATE
    return None


def reports_due(*, now: datetime.datetime) -> list[DueReport]:
    """Every (indicator, period, reminder) due now and not yet sent, in three queries."""
    horizon = (now - datetime.timedelta(days=LATE_FOR_DAYS + 70)).date()
    indicators = (
        Indicator.objects.filter(source="", activity__isnull=False)
        .filter(plan__end_on__gte=horizon, plan__start_on__lte=now.date())
        .select_related("plan__group")
    )
    reported = set(
        IndicatorReport.objects.filter(
            indicator__in=indicators, superseded_at__isnull=True
        ).values_list("indicator_id", "period_start")
    )
    sent = set(
        ReportReminder.objects.filter(indicator__in=indicators).values_list(
            "indicator_id", "period_start", "kind"
        )
    )
    found = []
    for indicator in indicators:
        plan = indicator.plan
        today = _today(plan, now)
        written_on = _today(plan, plan.created_at)
        for period in periods(
            plan.start_on, plan.end_on, indicator.frequency, reporting_days=plan.reporting_days
        ):
            kind = _kind(period, today, written_on)
            if kind is None or (indicator.pk, period.start) in reported:
                continue
            if (indicator.pk, period.start, kind) not in sent:
                found.append(DueReport(indicator.pk, period.start, kind))
    return found


@transaction.atomic
def report_remind(*, indicator_id: int, period_start: datetime.date, kind: str) -> bool:
    """Claim and send one reminder; False when another sweep did, or the value came in."""
    current = IndicatorReport.objects.filter(
        indicator=OuterRef("pk"), period_start=period_start, superseded_at__isnull=True
    )
    indicator = (
        Indicator.objects.select_related("plan__group", "activity__lead_organisation")
        .filter(pk=indicator_id, activity__isnull=False)
        .exclude(Exists(current))
        .first()
    )
    if indicator is None:
        return False
    try:
        with transaction.atomic():
            ReportReminder.objects.create(indicator=indicator, period_start=period_start, kind=kind)
    except IntegrityError:
        return False
    period = next(
        p
        for p in periods(
            indicator.plan.start_on,
            indicator.plan.end_on,
            indicator.frequency,
            reporting_days=indicator.plan.reporting_days,
        )
        if p.start == period_start
    )
    notifications.report_reminder(indicator=indicator, period=period, late=kind == "late")
    return True


def report_reminders_send(*, now: datetime.datetime | None = None, most: int = 500) -> int:
    sent = 0
    for due in reports_due(now=now or timezone.now())[:most]:
        sent += report_remind(
            indicator_id=due.indicator_id, period_start=due.period_start, kind=due.kind
        )
    return sent
