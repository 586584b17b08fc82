"""Joint action plans: coordinators write the plan, its objectives, activities and indicators;
the lead organisation's supervisors and admins report each period's value of its indicators."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import indicators, permissions
from coordination.exceptions import Conflict, NotAllowed, NotVisible
from coordination.models import (
    ActionPlan,
    Activity,
    Aggregation,
    Indicator,
    IndicatorReport,
    Objective,
)
from coordination.periods import is_month_end, period_of, periods
from coordination.services.common import coordinated_group, full_clean, require
from organisations.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PLAN_FIELDS = ("title", "description", "start_on", "end_on", "reporting_days")
ACTIVITY_FIELDS = (
    "objective",
    "title",
    "description",
    "lead_organisation",
    "area",
    "start_on",
    "end_on",
    "status",
    "funding_status",
    "funding_amount",
    "funding_currency",
)
INDICATOR_FIELDS = (
    "objective",
    "activity",
    "name",
    "unit",
    "baseline",
    "target",
    "frequency",
    "aggregation",
    "source",
    "category",
    "disaggregated",
    "position",
)
# Fixed once a value is reported: changing them would change what the values mean.
INDICATOR_FIXED_AFTER_REPORTS = ("frequency", "source", "aggregation", "activity")
MAX_PLAN_DAYS = 366 * 5
SEXES = ("female", "male", "other", "undisclosed")
AGE_BANDS = ("0-17", "18-59", "60+", "unknown")


def _check_period(plan: ActionPlan) -> None:
    require(plan.start_on is not None, _("Give the first day of the plan."), field="start_on")
    require(plan.end_on is not None, _("Give the last day of the plan."), field="end_on")
    require(
        plan.start_on.day == 1, _("A plan starts on the first day of a month."), field="start_on"
    )
    require(is_month_end(plan.end_on), _("A plan ends on the last day of a month."), field="end_on")
    require(plan.end_on > plan.start_on, _("The plan ends before it starts."), field="end_on")
    require(
        (plan.end_on - plan.start_on).days <= MAX_PLAN_DAYS,
        _("A plan covers at most five years."),
        field="end_on",
    )


def _coordinated_plan(actor: User, plan_id: int, *, lock: bool = True) -> ActionPlan:
    plans = ActionPlan.objects.select_related("group")
    if lock:
        plans = plans.select_for_update(of=("self",))
    plan = plans.filter(pk=plan_id).first()
    if plan is None or not permissions.can_view(actor, plan.group):
        raise NotVisible()
    if not permissions.can_coordinate(actor, plan.group):
        raise NotAllowed()
    return plan


@transaction.atomic
def action_plan_create(*, actor: User, group: Any, **fields: Any) -> ActionPlan:
    group = coordinated_group(actor, getattr(group, "pk", group))
    plan = ActionPlan(group=group, created_by=actor)
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    full_clean(plan, exclude=["group", "created_by"])
    _check_period(plan)
    plan.save()
    return plan


@transaction.atomic
def action_plan_update(*, plan_id: int, actor: User, **fields: Any) -> ActionPlan:
    plan = _coordinated_plan(actor, plan_id)
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    full_clean(plan, exclude=["group", "created_by"])
    _check_period(plan)
    plan.save()
    return plan


# Objectives -------------------------------------------------------------------------------------


@transaction.atomic
def objective_save(
    *, actor: User, plan_id: int, objective_id: int | None = None, **fields: Any
) -> Objective:
    plan = _coordinated_plan(actor, plan_id)
    if objective_id is None:
        objective = Objective(plan=plan)
    else:
        found = plan.objectives.filter(pk=objective_id).first()
        if found is None:
            raise NotVisible()
        objective = found
    for name in ("title", "description", "category", "position"):
        if name in fields:
            setattr(objective, name, fields[name])
    full_clean(objective, exclude=["plan"])
    objective.save()
    return objective


# Activities -------------------------------------------------------------------------------------


def _check_activity(plan: ActionPlan, activity: Activity, partners: list | None) -> None:
    member_ids = set(plan.group.members.filter(is_active=True).values_list("pk", flat=True))
    require(
        activity.lead_organisation_id in member_ids,
        _("Choose a member organisation of the group."),
        field="lead_organisation",
    )
    if partners is not None:
        require(
            {p.pk for p in partners} <= member_ids,
            _("Choose member organisations of the group."),
            field="partners",
        )
    require(
        activity.objective is None or activity.objective.plan_id == plan.pk,
        _("Choose an objective of this plan."),
        field="objective",
    )
    require(activity.end_on >= activity.start_on, _("It ends before it starts."), field="end_on")
    require(
        activity.funding_amount is None or bool(activity.funding_currency),
        _("Give the currency of the amount."),
        field="funding_currency",
    )
    activity.funding_currency = (activity.funding_currency or "").upper()


def _activity_write(activity: Activity, fields: dict, partners: list | None) -> Activity:
    for name in ACTIVITY_FIELDS:
        if name in fields:
            setattr(activity, name, fields[name])
    require(activity.start_on is not None, _("Give a start date."), field="start_on")
    require(activity.end_on is not None, _("Give an end date."), field="end_on")
    full_clean(activity, exclude=["plan", "lead_organisation", "objective"])
    _check_activity(activity.plan, activity, partners)
    activity.save()
    if partners is not None:
        activity.partners.set([p for p in partners if p.pk != activity.lead_organisation_id])
    return activity


@transaction.atomic
def activity_create(
    *, actor: User, plan_id: int, partners: list[Organisation] | None = None, **fields: Any
) -> Activity:
    plan = _coordinated_plan(actor, plan_id)
    require(
        fields.get("lead_organisation") is not None,
        _("Name the lead organisation."),
        field="lead_organisation",
    )
    return _activity_write(Activity(plan=plan), fields, partners or [])


@transaction.atomic
def activity_update(
    *, actor: User, activity_id: int, partners: list[Organisation] | None = None, **fields: Any
) -> Activity:
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("plan__group")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None or not permissions.can_view(actor, activity.plan.group):
        raise NotVisible()
    if not permissions.can_coordinate(actor, activity.plan.group):
        # The lead organisation keeps its activity's status up to date, nothing else.
        if not permissions.may_report_for(actor, activity.lead_organisation_id):
            raise NotAllowed()
        require(
            set(fields) <= {"status"} and partners is None,
            _("Only the coordinators change more than the status."),
            field=next(iter(set(fields) - {"status"}), "partners"),
        )
    return _activity_write(activity, fields, partners)


# Indicators -------------------------------------------------------------------------------------


def _check_indicator(plan: ActionPlan, indicator: Indicator) -> None:
    if indicator.source:
        source = indicators.get(indicator.source)
        require(source is not None, _("Choose one of the computed sources."), field="source")
        assert source is not None  # noqa: S101 - narrowed by require  # nosec B101
        indicator.aggregation = source.aggregation
        if not indicator.unit:
            indicator.unit = str(source.unit)
        if not source.uses_category:
            indicator.category = ""
    else:
        require(
            indicator.activity_id is not None,
            _("A reported indicator belongs to an activity: its lead organisation reports it."),
            field="activity",
        )
    require(
        indicator.activity is None or indicator.activity.plan_id == plan.pk,
        _("Choose an activity of this plan."),
        field="activity",
    )
    require(
        indicator.objective is None or indicator.objective.plan_id == plan.pk,
        _("Choose an objective of this plan."),
        field="objective",
    )


def _indicator_write(indicator: Indicator, fields: dict) -> Indicator:
    for name in INDICATOR_FIELDS:
        if name in fields:
            setattr(indicator, name, fields[name])
    indicator.source = (indicator.source or "").strip()
    full_clean(indicator, exclude=["plan", "activity", "objective"])
    _check_indicator(indicator.plan, indicator)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_create(*, actor: User, plan_id: int, **fields: Any) -> Indicator:
    plan = _coordinated_plan(actor, plan_id)
    require(fields.get("target") is not None, _("Give a target."), field="target")
    return _indicator_write(Indicator(plan=plan), fields)


@transaction.atomic
def indicator_update(*, actor: User, indicator_id: int, **fields: Any) -> Indicator:
    indicator = Indicator.objects.select_related("plan__group").filter(pk=indicator_id).first()
    if indicator is None or not permissions.can_view(actor, indicator.plan.group):
        raise NotVisible()
    _coordinated_plan(actor, indicator.plan_id)
    if indicator.reports.exists():
        for name in INDICATOR_FIXED_AFTER_REPORTS:
            value = fields.get(name, getattr(indicator, name))
            current = getattr(indicator, name)
            same = getattr(value, "pk", value) == getattr(current, "pk", current)
            require(same, _("Values were reported: this can no longer change."), field=name)
    return _indicator_write(indicator, fields)


# Reports ----------------------------------------------------------------------------------------


def _check_breakdown(indicator: Indicator, value: Decimal, breakdown: list | None) -> list:
    if not breakdown:
        return []
    require(indicator.disaggregated, _("This indicator has no breakdown."), field="breakdown")
    seen = set()
    total = Decimal(0)
    for row in breakdown:
        key = (row.get("sex"), row.get("age_band"))
        require(key[0] in SEXES, _("Choose a sex from the list."), field="breakdown")
        require(key[1] in AGE_BANDS, _("Choose an age band from the list."), field="breakdown")
        require(key not in seen, _("Give each sex and age band once."), field="breakdown")
        seen.add(key)
        total += Decimal(str(row.get("value", 0)))
    require(total == value, _("The breakdown adds up to the value."), field="breakdown")
    return [
        {"sex": r["sex"], "age_band": r["age_band"], "value": float(r["value"])} for r in breakdown
    ]


@transaction.atomic
def indicator_report(
    *,
    actor: User,
    indicator_id: int,
    period_start: datetime.date,
    value: Decimal,
    note: str = "",
    breakdown: list | None = None,
    document: Any = None,
) -> IndicatorReport:
    """The lead organisation reports a period's value; a second report for the same period
    corrects the first, which stays in the history. Two reports at the same moment: one wins,
    the other gets a conflict (409)."""
    indicator = (
        Indicator.objects.select_related("plan__group", "activity").filter(pk=indicator_id).first()
    )
    if indicator is None or not permissions.can_view(actor, indicator.plan.group):
        raise NotVisible()
    if indicator.source:
        raise NotAllowed(_("The platform computes this indicator: nobody reports it."))
    lead_id = indicator.activity.lead_organisation_id if indicator.activity else None
    if lead_id is None or not permissions.may_report_for(actor, lead_id):
        raise NotAllowed(_("Only the lead organisation's supervisors and admins report this."))
    plan = indicator.plan
    period_list = periods(
        plan.start_on, plan.end_on, indicator.frequency, reporting_days=plan.reporting_days
    )
    period = period_of(period_list, period_start)
    require(
        period is not None,
        _("Choose the first day of one of the indicator's periods."),
        field="period_start",
    )
    assert period is not None  # noqa: S101 - narrowed by require  # nosec B101
    today = timezone.now().astimezone(permissions.group_zone(plan.group)).date()
    require(period.has_started(today), _("This period has not started yet."), field="period_start")
    require(value is not None, _("Give the value."), field="value")
    require(
        value >= 0 or indicator.aggregation == Aggregation.LATEST,
        _("A count is not negative."),
        field="value",
    )
    rows = _check_breakdown(indicator, value, breakdown)
    now = timezone.now()
    try:
        with transaction.atomic():
            IndicatorReport.objects.filter(
                indicator=indicator, period_start=period.start, superseded_at__isnull=True
            ).update(superseded_at=now)
            report = IndicatorReport(
                indicator=indicator,
                period_start=period.start,
                value=value,
                note=(note or "").strip(),
                breakdown=rows,
                reported_by=actor,
                organisation_id=lead_id,
                created_at=now,
            )
            if document:
                report.document = document
            report.save()
    except IntegrityError:
        raise Conflict(_("Someone reported this period at the same moment. Look again.")) from None
    return report
