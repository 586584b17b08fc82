"""Every list of the mechanism reads the same number of queries at 10 and at 200 rows, API and
web (plans, activities, indicators, reports, pathways, terms; the plan, progress and pathway
pages)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import services
from tests.coordination.conftest import api, browser
from tests.factories import ServiceFactory


def fill(world, rows: int) -> dict:
    plan = services.action_plan_create(
        actor=world.coordinator,
        group=world.group,
        title=f"Plan {rows}",
        start_on=datetime.date(2026, 1, 1),
        end_on=datetime.date(2026, 12, 31),
    )
    shelter = ServiceFactory(organisation=world.cso, category="emergency_shelter")
    for number in range(rows):
        objective = services.objective_save(
            actor=world.coordinator, plan_id=plan.pk, title=f"O{number}"
        )
        activity = services.activity_create(
            actor=world.coordinator,
            plan_id=plan.pk,
            objective=objective,
            title=f"A{number}",
            lead_organisation=world.cso,
            partners=[world.office],
            start_on=plan.start_on,
            end_on=plan.end_on,
        )
        indicator = services.indicator_create(
            actor=world.coordinator,
            plan_id=plan.pk,
            objective=objective,
            activity=activity,
            name=f"I{number}",
            target=10,
        )
        services.indicator_report(
            actor=world.member_supervisor,
            indicator_id=indicator.pk,
            period_start=datetime.date(2026, 1, 1),
            value=Decimal(number),
        )
        services.pathway_create(
            actor=world.coordinator,
            group=world.group,
            category="emergency_shelter",
            city="Sfax",
            title=f"P{number}",
            steps=[{"title": "One", "services": [shelter]}, {"title": "Two"}],
        )
        terms = services.terms_create(
            actor=world.coordinator, group=world.group, mandate=f"M{number}"
        )
    return {"plan": plan, "terms": terms}


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


URLS = [
    "/api/v1/plans/?page_size=200",
    "/api/v1/plan-objectives/?page_size=200",
    "/api/v1/plan-activities/?page_size=200",
    "/api/v1/indicators/?page_size=200",
    "/api/v1/indicator-reports/?page_size=200",
    "/api/v1/pathways/?page_size=200",
    "/api/v1/terms/?page_size=200",
    "/api/v1/plans/{plan}/progress/",
    "/coordination/action-plans/{plan}/",
    "/coordination/action-plans/{plan}/progress/",
    "/coordination/groups/{group}/pathways/",
    "/coordination/groups/{group}/terms/",
    "/coordination/commitments/",
]


@pytest.mark.slow
def test_every_list_reads_as_many_queries_at_10_and_at_200_rows(world):
    def counts(rows: int) -> dict[str, int]:
        made = fill(world, rows)
        user = type(world.member_supervisor).objects.get(pk=world.member_supervisor.pk)
        found = {}
        for url in URLS:
            client = api(user) if url.startswith("/api/") else browser(user)
            target = url.format(plan=made["plan"].pk, group=world.group.pk)
            client.get(target)  # caches that live for the process
            found[url] = count(client, target)
        return found

    few = counts(10)
    many = counts(200)
    assert few == many
    assert (
        max(n for url, n in few.items() if url.startswith("/api/") and "progress" not in url) <= 8
    )
