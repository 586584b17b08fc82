"""Web pages of insight: the home dashboard, the referral statistics and the migration profile.
Thin: the scope and filters in, the reports out (as a page, or one table as CSV)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from config.errors import NotAllowed, ValidationFailed
from organisations import names
from organisations import permissions as organisation_permissions
from organisations.models import Service
from referrals.insight import cache, charts, dashboard, export, profile, scope, statistics
from referrals.insight.forms import InsightFilterForm
from referrals.insight.statistics import Report

# Tables drawn as charts (the others are tables only).
CHARTED = {
    "by_state",
    "by_category",
    "by_urgency",
    "by_month",
    "decline_reasons",
    "by_age_band",
    "by_sex",
    "by_nationality",
    "by_vulnerability",
    "by_language",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs the user now, for every role they hold."""
    membership = request.current.membership
    organisation = request.current.organisation
    with names.isolating():  # the names in its lines keep their place in right-to-left pages
        board = dashboard.dashboard_for(
            user=request.user, membership=membership, memberships=request.current.memberships
        )
    return render(
        request,
        "referrals/home.html",
        {
            "dashboard": board,
            "organisation": organisation,
            "membership": membership,
            "services": list(Service.objects.active().filter(organisation=organisation))
            if organisation
            else [],
            "can_manage": organisation is not None
            and organisation_permissions.can_manage_organisation(request.user, organisation),
        },
    )


def _report_page(
    request: HttpRequest,
    *,
    build: Callable[[scope.Scope, scope.Filters], Report],
    template: str,
    with_category: bool,
) -> HttpResponse:
    try:
        chosen = scope.scope_resolve(request.user, request.GET.get("scope", ""))
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from None
    form = InsightFilterForm(request.GET or None, scope=chosen, with_category=with_category)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        filters = scope.filters_resolve(
            chosen,
            start=data.get("start"),
            end=data.get("end"),
            organisation=data.get("organisation"),
            category=data.get("category", ""),
            city=data.get("city", ""),
        )
    except ValidationFailed as error:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
        filters = scope.filters_resolve(chosen)
    report = cache.report_cached(build, chosen, filters)
    wanted = request.GET.get("export")
    if wanted:
        table = next((t for t in report.tables if t.name == wanted), None)
        if table is None:
            raise Http404
        return export.table_csv(
            table,
            filename=f"{chosen.name}-{table.name}-{filters.as_dict()['start']}"
            f"-{filters.as_dict()['end']}",
        )
    query = request.GET.copy()
    query.pop("export", None)
    blocks = [
        {
            "table": table,
            "chart": charts.bar_chart(table) if table.name in CHARTED and table.rows else "",
            "csv": "?" + _with(query, export=table.name),
        }
        for table in report.tables
    ]
    return render(
        request,
        template,
        {"form": form, "report": report, "blocks": blocks, "scope": chosen, "filters": filters},
    )


def _with(query: object, **values: str) -> str:
    query = query.copy()
    for key, value in values.items():
        query[key] = value
    return query.urlencode()


@login_required
def referral_statistics(request: HttpRequest) -> HttpResponse:
    return _report_page(
        request,
        build=statistics.referral_report,
        template="referrals/insight/statistics.html",
        with_category=True,
    )


@login_required
def migration_profile(request: HttpRequest) -> HttpResponse:
    return _report_page(
        request,
        build=profile.profile_report,
        template="referrals/insight/profile.html",
        with_category=False,
    )
