"""The mechanism's pages as people meet them: a coordinator writes, a lead organisation's
supervisor reports, members read, outsiders get 404; and the exports."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import services
from coordination.models import Decision, IndicatorReport, Occurrence
from tests.coordination.conftest import browser
from tests.factories import ServiceFactory


def plan_of(world):
    plan = services.action_plan_create(
        actor=world.coordinator,
        group=world.group,
        title="Plan 2026",
        start_on=datetime.date(2026, 1, 1),
        end_on=datetime.date(2026, 12, 31),
    )
    objective = services.objective_save(
        actor=world.coordinator, plan_id=plan.pk, title="Nobody sleeps outside"
    )
    activity = services.activity_create(
        actor=world.coordinator,
        plan_id=plan.pk,
        objective=objective,
        title="Night shelter",
        lead_organisation=world.cso,
        start_on=datetime.date(2026, 1, 1),
        end_on=datetime.date(2026, 2, 28),
    )
    indicator = services.indicator_create(
        actor=world.coordinator,
        plan_id=plan.pk,
        objective=objective,
        activity=activity,
        name="Nights of shelter",
        target=1200,
    )
    return plan, indicator


def test_a_supervisor_of_the_lead_organisation_files_the_report_due(world):
    _plan, indicator = plan_of(world)
    client = browser(world.member_supervisor)

    page = client.get("/coordination/commitments/")
    url = f"/coordination/indicators/{indicator.pk}/report/2026-01-01/"
    assert page.status_code == 200
    assert url in page.content.decode()
    assert browser(world.member_worker).get(url).status_code == 403
    assert browser(world.outsider).get(url).status_code == 404

    response = client.post(url, {"value": "95", "note": "Cold January"})

    assert response.status_code == 302
    report = IndicatorReport.objects.get()
    assert (report.value, report.note, report.reported_by) == (
        Decimal(95),
        "Cold January",
        world.member_supervisor,
    )
    assert url not in client.get("/coordination/commitments/").content.decode()


def test_the_progress_page_has_a_chart_its_table_and_the_rule(world):
    plan, indicator = plan_of(world)
    services.indicator_report(
        actor=world.member_supervisor,
        indicator_id=indicator.pk,
        period_start=datetime.date(2026, 1, 1),
        value=Decimal(100),
    )

    page = browser(world.member_worker).get(f"/coordination/action-plans/{plan.pk}/progress/")

    body = page.content.decode()
    assert page.status_code == 200
    assert '<svg class="chart"' in body
    assert "<table" in body
    assert "90%" in body
    assert "Night shelter" in body  # past its end date: listed as overdue
    assert (
        browser(world.outsider).get(f"/coordination/action-plans/{plan.pk}/progress/").status_code
        == 404
    )


def test_the_progress_exports_csv_with_a_bom_and_iati_json(world):
    plan, indicator = plan_of(world)
    services.indicator_report(
        actor=world.member_supervisor,
        indicator_id=indicator.pk,
        period_start=datetime.date(2026, 1, 1),
        value=Decimal(100),
    )
    client = browser(world.member_worker)

    csv = client.get(f"/coordination/action-plans/{plan.pk}/progress/?format=csv")
    iati = client.get(f"/coordination/action-plans/{plan.pk}/progress/?format=iati").json()

    assert csv.content.startswith("\ufeff".encode())
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("objective,indicator,kind")
    assert "Nobody sleeps outside,Nights of shelter,reported" in lines[1]
    (result,) = iati["result"]
    assert result["title"] == "Nobody sleeps outside"
    (row,) = result["indicator"]
    assert row["baseline"] == {"iso-date": "2026-01-01", "value": 0}
    assert row["period"][0]["actual"] == {"value": 100}
    assert row["period"][0]["target"] == {"value": 100.0}
    assert "actual" not in row["period"][1]


def test_a_coordinator_writes_terms_adopts_them_and_a_member_endorses(world):
    client = browser(world.coordinator)
    form = client.get(f"/coordination/groups/{world.group.pk}/terms/new/")
    assert form.status_code == 200
    assert (
        browser(world.member_supervisor)
        .get(f"/coordination/groups/{world.group.pk}/terms/new/")
        .status_code
        == 403
    )

    created = client.post(
        f"/coordination/groups/{world.group.pk}/terms/new/",
        {"mandate": "Refer people well.", f"commitment_{world.cso.pk}": "Shelter"},
    )
    assert created.status_code == 302
    terms = world.group.terms.get()
    meeting = world.meeting(rrule="")
    occurrence = Occurrence.objects.create(meeting=meeting, original_start=meeting.first_start)
    decision = Decision.objects.create(occurrence=occurrence, text="Adopted.")
    client.post(f"/coordination/terms/{terms.pk}/adopt/", {"decision": decision.pk})
    terms.refresh_from_db()
    assert terms.adopted_by == decision

    endorsed = browser(world.member_supervisor).post(
        f"/coordination/terms/{terms.pk}/endorse/", {"organisation": world.cso.pk}
    )
    assert endorsed.status_code == 302
    page = browser(world.member_worker).get(f"/coordination/groups/{world.group.pk}/terms/")
    assert "Refer people well." in page.content.decode()
    assert terms.endorsements.filter(organisation=world.cso).exists()
    assert (
        browser(world.outsider).get(f"/coordination/groups/{world.group.pk}/terms/").status_code
        == 404
    )


def test_a_coordinator_writes_a_pathway_with_services_of_the_directory(world):
    shelter = ServiceFactory(organisation=world.cso, category="emergency_shelter", name="Beds")
    client = browser(world.coordinator)

    response = client.post(
        f"/coordination/groups/{world.group.pk}/pathways/new/",
        {
            "title": "A bed tonight",
            "category": "emergency_shelter",
            "city": "Sfax",
            "step_1_title": "Go to the shelter",
            "step_1_services": [shelter.pk],
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    page = browser(world.member_worker).get(response["Location"])
    assert "Beds" in page.content.decode()
    assert "Go to the shelter" in page.content.decode()


def test_the_plan_and_progress_pages_read_a_fixed_number_of_queries(world):
    plan, _first = plan_of(world)

    def count(extra: int) -> tuple[int, int]:
        for number in range(extra):
            activity = services.activity_create(
                actor=world.coordinator,
                plan_id=plan.pk,
                title=f"Activity {number}",
                lead_organisation=world.office,
                partners=[world.cso],
                start_on=datetime.date(2026, 1, 1),
                end_on=datetime.date(2026, 12, 31),
            )
            services.indicator_create(
                actor=world.coordinator,
                plan_id=plan.pk,
                activity=activity,
                name=f"Indicator {number}",
                target=10,
            )
        user = type(world.member_worker).objects.get(pk=world.member_worker.pk)
        client = browser(user)
        found = []
        for url in (
            f"/coordination/action-plans/{plan.pk}/",
            f"/coordination/action-plans/{plan.pk}/progress/",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return tuple(found)

    assert count(2) == count(25)


def test_the_home_page_shows_the_reports_an_organisation_owes_and_the_late_ones(world):
    _plan, indicator = plan_of(world)  # January's report was due on 11 February: late

    supervisor_home = browser(world.member_supervisor).get("/").content.decode()
    coordinator_home = browser(world.coordinator).get("/").content.decode()
    worker_home = browser(world.member_worker).get("/").content.decode()

    report_url = f"/coordination/indicators/{indicator.pk}/report/2026-01-01/"
    assert "Indicator reports my organisation owes" in supervisor_home
    assert report_url in supervisor_home
    assert "indicator reports late" in coordinator_home
    assert f"/coordination/groups/{world.group.pk}/action-plans/" in coordinator_home
    assert report_url not in worker_home  # a caseworker does not report
