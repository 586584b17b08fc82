"""Joint action plans on the web: the plan (objectives, activities, indicators), its progress
(charts with their tables, printable, CSV and IATI JSON), reporting a period's value, and each
organisation's commitments."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ServiceError
from coordination import (
    charts,
    indicators,
    permissions,
    plan_export,
    progress,
    selectors,
    services,
)
from coordination.mechanism_forms import (
    ActionPlanForm,
    ActivityForm,
    IndicatorForm,
    ObjectiveForm,
    ReportForm,
)
from coordination.models import ActionPlan, Activity, Indicator, IndicatorReport
from coordination.periods import period_of
from coordination.views.common import coordinated_group, failed, visible_group


def _plan_or_404(request: HttpRequest, pk: int) -> ActionPlan:
    plan = selectors.action_plan_get(request.user, pk)
    if plan is None:
        raise Http404
    return plan


def _coordinated_plan(request: HttpRequest, pk: int) -> ActionPlan:
    plan = _plan_or_404(request, pk)
    if not permissions.can_coordinate(request.user, plan.group):
        raise PermissionDenied
    return plan


@login_required
def action_plans(request: HttpRequest, pk: int) -> HttpResponse:
    group = visible_group(request, pk)
    return render(
        request,
        "coordination/action_plans.html",
        {
            "group": group,
            "plans": list(group.action_plans.order_by("-start_on", "title")),
            "can_coordinate": permissions.can_coordinate(request.user, group),
        },
    )


@login_required
def action_plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = coordinated_group(request, pk)
    year = timezone.localdate().year
    form = ActionPlanForm(
        request.POST or None,
        initial={
            "start_on": datetime.date(year, 1, 1),
            "end_on": datetime.date(year, 12, 31),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.action_plan_create(actor=request.user, group=group, **form.cleaned_data)
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The plan is saved. Add its objectives and activities."))
            return redirect("coordination:action-plan", pk=plan.pk)
    return render(request, "coordination/action_plan_form.html", {"group": group, "form": form})


@login_required
def action_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    rows = list(
        plan.indicators.select_related("activity__lead_organisation", "objective").order_by(
            "position", "id"
        )
    )
    speaking = permissions.speaking_organisation_ids(request.user)
    labels = dict(indicators.choices())
    for row in rows:
        row.source_label = labels.get(row.source, row.source)  # type: ignore[attr-defined]
    return render(
        request,
        "coordination/action_plan.html",
        {
            "group": plan.group,
            "plan": plan,
            "objectives": list(plan.objectives.all()),
            "activities": list(selectors.plan_activities(plan)),
            "indicators": rows,
            "can_coordinate": permissions.can_coordinate(request.user, plan.group),
            "may_report": {
                i.pk for i in rows if i.activity and i.activity.lead_organisation_id in speaking
            },
        },
    )


@login_required
def action_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _coordinated_plan(request, pk)
    form = ActionPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_plan_update(plan_id=plan.pk, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("coordination:action-plan", pk=plan.pk)
    return render(
        request,
        "coordination/action_plan_form.html",
        {"group": plan.group, "form": form, "plan": plan},
    )


def _content_form(
    request: HttpRequest,
    plan: ActionPlan,
    *,
    form: Any,
    save: Any,
    title: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("coordination:action-plan", pk=plan.pk)
    return render(
        request,
        "coordination/plan_part_form.html",
        {"group": plan.group, "plan": plan, "form": form, "title": title},
    )


@login_required
def objective_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _coordinated_plan(request, pk)
    return _content_form(
        request,
        plan,
        form=ObjectiveForm(request.POST or None),
        save=lambda form: services.objective_save(
            actor=request.user, plan_id=plan.pk, **form.cleaned_data
        ),
        title=_("New objective"),
    )


@login_required
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _coordinated_plan(request, pk)
    return _content_form(
        request,
        plan,
        form=ActivityForm(
            request.POST or None,
            plan=plan,
            initial={"start_on": plan.start_on, "end_on": plan.end_on},
        ),
        save=lambda form: services.activity_create(
            actor=request.user, plan_id=plan.pk, **form.values()
        ),
        title=_("New activity"),
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = Activity.objects.select_related("plan").filter(pk=pk).first()
    if activity is None:
        raise Http404
    plan = _coordinated_plan(request, activity.plan_id)
    return _content_form(
        request,
        plan,
        form=ActivityForm(request.POST or None, plan=plan, instance=activity),
        save=lambda form: services.activity_update(
            actor=request.user, activity_id=activity.pk, **form.values()
        ),
        title=_("Edit the activity"),
    )


@login_required
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _coordinated_plan(request, pk)
    return _content_form(
        request,
        plan,
        form=IndicatorForm(request.POST or None, plan=plan),
        save=lambda form: services.indicator_create(
            actor=request.user, plan_id=plan.pk, **form.cleaned_data
        ),
        title=_("New indicator"),
    )


@login_required
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = Indicator.objects.filter(pk=pk).first()
    if indicator is None:
        raise Http404
    plan = _coordinated_plan(request, indicator.plan_id)
    return _content_form(
        request,
        plan,
        form=IndicatorForm(request.POST or None, plan=plan, instance=indicator),
        save=lambda form: services.indicator_update(
            actor=request.user, indicator_id=indicator.pk, **form.cleaned_data
        ),
        title=_("Edit the indicator"),
    )


# Progress ---------------------------------------------------------------------------------------


@login_required
def plan_progress(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    series = progress.plan_progress(plan)
    wanted = request.GET.get("format", "")
    if wanted == "csv":
        response = HttpResponse(
            plan_export.progress_csv(series), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-progress.csv"'
        return response
    if wanted == "iati":
        response = HttpResponse(
            json.dumps(
                plan_export.progress_iati(plan, series),
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
                indent=2,
            ),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-iati.json"'
        return response
    late: dict[str, list] = {}
    for row in series:
        for period in row.late:
            lead = row.indicator.activity.lead_organisation if row.indicator.activity else None
            late.setdefault(lead.name if lead else "", []).append((row.indicator, period))
    objectives: dict[object, list] = {}
    for row in series:
        objectives.setdefault(row.indicator.objective, []).append(
            {"row": row, "chart": charts.progress_chart(row)}
        )
    activities = list(selectors.plan_activities(plan))
    return render(
        request,
        "coordination/plan_progress.html",
        {
            "group": plan.group,
            "plan": plan,
            "objectives": list(objectives.items()),
            "late": sorted(late.items()),
            "overdue": [a for a in activities if a.is_overdue],
            "status_rule": progress.STATUS_RULE,
            "counts": {
                status: sum(1 for row in series if row.status == status)
                for status in progress.JUDGED
            },
        },
    )


# Reporting --------------------------------------------------------------------------------------


@login_required
def plan_report(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    """The lead organisation reports one period's value (again: a correction)."""
    indicator = (
        Indicator.objects.select_related("plan__group", "activity__lead_organisation")
        .filter(pk=pk)
        .first()
    )
    if indicator is None or not permissions.can_view(request.user, indicator.plan.group):
        raise Http404
    try:
        start = datetime.date.fromisoformat(period)
    except ValueError:
        raise Http404 from None
    found = period_of(progress.indicator_periods(indicator, indicator.plan), start)
    if found is None:
        raise Http404
    lead = indicator.activity.lead_organisation if indicator.activity else None
    if indicator.source or lead is None or not permissions.may_report_for(request.user, lead.pk):
        raise PermissionDenied
    history = list(
        IndicatorReport.objects.filter(indicator=indicator, period_start=start)
        .select_related("reported_by")
        .order_by("-created_at", "-id")
    )
    current = next((r for r in history if r.superseded_at is None), None)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        indicator=indicator,
        initial={"value": current.value, "note": current.note} if current else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_report(
                actor=request.user,
                indicator_id=indicator.pk,
                period_start=start,
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                breakdown=form.breakdown(),
                document=form.cleaned_data.get("document"),
            )
        except ServiceError as error:
            failed(request, error, form)
        else:
            messages.success(request, _("Thank you: the value is reported."))
            return redirect("coordination:action-plan", pk=indicator.plan_id)
    return render(
        request,
        "coordination/plan_report.html",
        {
            "group": indicator.plan.group,
            "plan": indicator.plan,
            "indicator": indicator,
            "period": found,
            "form": form,
            "history": history,
            "today": timezone.localdate(),
        },
    )


@login_required
def commitments(request: HttpRequest) -> HttpResponse:
    """What the user's organisations committed to in the plans of their groups, and the
    reports they owe."""
    return render(
        request,
        "coordination/commitments.html",
        {
            "activities": list(selectors.commitments_of(request.user)),
            "awaited": selectors.reports_awaited(request.user, now=timezone.now()),
        },
    )
