"""Joint action plans: who writes, who reports, what the progress says (the status rule at its
edges, periods in the group's time zone, late reports), through the API as a client meets it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import progress, services
from coordination.models import Aggregation, Frequency, IndicatorReport
from coordination.periods import periods
from tests.coordination.conftest import api

PLAN = "/api/v1/plans/"


def make_plan(world, **options):
    values = {
        "title": "Joint plan 2026",
        "start_on": datetime.date(2026, 1, 1),
        "end_on": datetime.date(2026, 12, 31),
        **options,
    }
    return services.action_plan_create(actor=world.coordinator, group=world.group, **values)


def make_reported(world, plan, *, target=120, frequency=Frequency.MONTHLY, **options):
    activity = services.activity_create(
        actor=world.coordinator,
        plan_id=plan.pk,
        title="Night shelter beds",
        lead_organisation=world.cso,
        start_on=plan.start_on,
        end_on=plan.end_on,
    )
    indicator = services.indicator_create(
        actor=world.coordinator,
        plan_id=plan.pk,
        activity=activity,
        name="Nights of shelter given",
        target=target,
        frequency=frequency,
        **options,
    )
    return activity, indicator


def test_a_coordinator_writes_a_plan_members_read_it_and_outsiders_do_not_see_it(world):
    body = {
        "group": world.group.pk,
        "title": "Plan 2026",
        "start_on": "2026-01-01",
        "end_on": "2026-12-31",
    }

    assert api(world.member_supervisor).post(PLAN, body, format="json").status_code == 403
    assert api(world.outsider).post(PLAN, body, format="json").status_code == 400
    created = api(world.coordinator).post(PLAN, body, format="json")

    assert created.status_code == 201, created.data
    url = f"{PLAN}{created.data['id']}/"
    assert api(world.member_worker).get(url).data["title"] == "Plan 2026"
    assert api(world.member_worker).get(url).data["can_coordinate"] is False
    assert api(world.outsider).get(url).status_code == 404
    assert api(world.outsider).get(f"{url}progress/").status_code == 404
    assert api(world.outsider).get(PLAN).data["results"] == []
    assert [
        p["id"]
        for p in api(world.member_worker).get(f"{PLAN}?group={world.group.pk}").data["results"]
    ] == [created.data["id"]]
    assert api(world.member_worker).patch(url, {"title": "Mine"}, format="json").status_code == 403
    patched = api(world.coordinator).patch(url, {"title": "Plan 2026–27"}, format="json")
    assert patched.status_code == 200
    assert patched.data["title"] == "Plan 2026–27"


@pytest.mark.parametrize(
    ("start_on", "end_on", "field"),
    [
        ("2026-01-02", "2026-12-31", "start_on"),
        ("2026-01-01", "2026-12-30", "end_on"),
        ("2026-06-01", "2026-05-31", "end_on"),
        ("2026-01-01", "2036-12-31", "end_on"),
        ("not a date", "2026-12-31", "start_on"),
    ],
)
def test_a_plan_covers_whole_months(world, start_on, end_on, field):
    response = api(world.coordinator).post(
        PLAN,
        {"group": world.group.pk, "title": "Plan", "start_on": start_on, "end_on": end_on},
        format="json",
    )

    assert response.status_code == 400
    assert field in response.data


def test_an_activity_is_led_by_a_member_organisation(world):
    plan = make_plan(world)
    body = {
        "plan": plan.pk,
        "title": "Legal clinics",
        "lead_organisation": world.outside.pk,
        "start_on": "2026-02-01",
        "end_on": "2026-06-30",
        "funding_status": "partly_funded",
        "funding_amount": 12000.50,
        "funding_currency": "tnd",
    }

    refused = api(world.coordinator).post("/api/v1/plan-activities/", body, format="json")
    assert refused.status_code == 400
    assert "lead_organisation" in refused.data

    body["lead_organisation"] = world.cso.pk
    body["partners"] = [world.office.pk]
    created = api(world.coordinator).post("/api/v1/plan-activities/", body, format="json")
    assert created.status_code == 201, created.data
    assert created.data["funding_amount"] == 12000.5
    assert created.data["funding_currency"] == "TND"
    assert created.data["partners"] == [world.office.pk]

    url = f"/api/v1/plan-activities/{created.data['id']}/"
    # The lead organisation keeps its status up to date, and nothing else.
    lead = api(world.member_supervisor)
    assert lead.patch(url, {"status": "ongoing"}, format="json").status_code == 200
    assert lead.patch(url, {"title": "Ours"}, format="json").status_code == 400
    assert api(world.member_worker).patch(url, {"status": "done"}, format="json").status_code == 403
    assert api(world.outsider).patch(url, {"status": "done"}, format="json").status_code == 404


def test_only_the_lead_organisations_supervisors_and_admins_report(world):
    plan = make_plan(world)
    _activity, indicator = make_reported(world, plan)
    body = {"indicator": indicator.pk, "period_start": "2026-01-01", "value": 14, "note": "Jan"}
    url = "/api/v1/indicator-reports/"

    assert api(world.member_worker).post(url, body, format="json").status_code == 403
    assert api(world.coordinator).post(url, body, format="json").status_code == 403
    assert api(world.outsider).post(url, body, format="json").status_code == 400  # not visible
    created = api(world.member_supervisor).post(url, body, format="json")

    assert created.status_code == 201, created.data
    assert created.data["value"] == 14
    assert created.data["organisation"] == world.cso.pk
    assert created.data["is_current"] is True


@pytest.mark.parametrize(
    ("period_start", "value", "field"),
    [
        ("2026-01-15", 3, "period_start"),  # not the first day of a period
        ("2025-12-01", 3, "period_start"),  # before the plan
        ("2026-04-01", 3, "period_start"),  # not started (today is 2 March)
        ("2026-01-01", -1, "value"),  # a count is not negative
        ("2026-01-01", "NaN", "value"),
        ("2026-01-01", "1e400", "value"),
    ],
)
def test_a_report_names_a_started_period_and_a_sensible_value(world, period_start, value, field):
    plan = make_plan(world)
    _activity, indicator = make_reported(world, plan)

    response = api(world.member_supervisor).post(
        "/api/v1/indicator-reports/",
        {"indicator": indicator.pk, "period_start": period_start, "value": value},
        format="json",
    )

    assert response.status_code == 400
    assert field in response.data
    assert not IndicatorReport.objects.exists()


def test_a_corrected_value_keeps_the_earlier_one_in_its_history(world):
    plan = make_plan(world)
    _activity, indicator = make_reported(world, plan)
    for value in (10, 12):
        services.indicator_report(
            actor=world.member_supervisor,
            indicator_id=indicator.pk,
            period_start=datetime.date(2026, 1, 1),
            value=Decimal(value),
        )

    history = api(world.member_worker).get(f"/api/v1/indicator-reports/?indicator={indicator.pk}")
    current = api(world.member_worker).get(
        f"/api/v1/indicator-reports/?indicator={indicator.pk}&current=true"
    )

    assert [(r["value"], r["is_current"]) for r in history.data["results"]] == [
        (12, True),
        (10, False),
    ]
    assert [r["value"] for r in current.data["results"]] == [12]
    assert IndicatorReport.objects.filter(superseded_at__isnull=True).count() == 1


def test_a_breakdown_adds_up_to_the_value(world):
    plan = make_plan(world)
    _activity, indicator = make_reported(world, plan, disaggregated=True)
    url = "/api/v1/indicator-reports/"
    rows = [
        {"sex": "female", "age_band": "18-59", "value": 6},
        {"sex": "male", "age_band": "0-17", "value": 3},
    ]
    body = {"indicator": indicator.pk, "period_start": "2026-01-01", "value": 10, "breakdown": rows}

    wrong = api(world.member_supervisor).post(url, body, format="json")
    body["value"] = 9
    right = api(world.member_supervisor).post(url, body, format="json")

    assert wrong.status_code == 400
    assert "breakdown" in wrong.data
    assert right.status_code == 201, right.data
    assert [r["value"] for r in right.data["breakdown"]] == [6, 3]


def test_an_indicator_is_reported_by_an_activity_or_computed_from_a_known_source(world):
    plan = make_plan(world)
    url = "/api/v1/indicators/"
    base = {"plan": plan.pk, "name": "Something", "target": 10}

    no_activity = api(world.coordinator).post(url, base, format="json")
    unknown = api(world.coordinator).post(url, {**base, "source": "coffee"}, format="json")
    computed = api(world.coordinator).post(
        url, {**base, "source": "meetings_held", "aggregation": "latest"}, format="json"
    )

    assert no_activity.status_code == 400
    assert "activity" in no_activity.data
    assert unknown.status_code == 400
    assert "source" in unknown.data
    assert computed.status_code == 201, computed.data
    assert computed.data["kind"] == "computed"
    assert computed.data["aggregation"] == "sum"  # the source says how its values add up
    assert api(world.member_worker).post(url, base, format="json").status_code == 403


def test_what_a_report_means_cannot_change_once_values_are_reported(world):
    plan = make_plan(world)
    _activity, indicator = make_reported(world, plan)
    services.indicator_report(
        actor=world.member_supervisor,
        indicator_id=indicator.pk,
        period_start=datetime.date(2026, 1, 1),
        value=Decimal(5),
    )
    url = f"/api/v1/indicators/{indicator.pk}/"

    moved = api(world.coordinator).patch(url, {"frequency": "quarterly"}, format="json")
    renamed = api(world.coordinator).patch(url, {"name": "Nights given"}, format="json")

    assert moved.status_code == 400
    assert "frequency" in moved.data
    assert renamed.status_code == 200


# Progress ---------------------------------------------------------------------------------------


def test_progress_shows_each_period_with_late_reports_and_the_status(world):
    plan = make_plan(world, reporting_days=10)
    _activity, indicator = make_reported(world, plan, target=120)
    # January reported on target (10 of 120 a month); February's report is not due until
    # 10 March; today is 2 March.
    services.indicator_report(
        actor=world.member_supervisor,
        indicator_id=indicator.pk,
        period_start=datetime.date(2026, 1, 1),
        value=Decimal(10),
    )

    response = api(world.member_worker).get(f"{PLAN}{plan.pk}/progress/")

    assert response.status_code == 200
    (row,) = response.data["indicators"]
    assert row["id"] == indicator.pk
    assert row["kind"] == "reported"
    assert (row["baseline"], row["target"]) == (0, 120)
    months = row["periods"]
    assert len(months) == 12
    assert months[0]["period_start"] == datetime.date(2026, 1, 1)
    assert (months[0]["actual"], months[0]["expected"], months[0]["status"]) == (10, 10, "on_track")
    assert (months[1]["actual"], months[1]["status"]) == (None, "awaiting")
    assert months[1]["due_on"] == datetime.date(2026, 3, 11)
    assert months[2]["status"] == "open"
    assert months[3]["status"] == "upcoming"
    assert row["status"] == "on_track"
    assert "90%" in response.data["status_rule"]


def test_a_report_past_its_due_date_is_late(world, at):
    plan = make_plan(world, reporting_days=10)
    make_reported(world, plan)

    with at(datetime.datetime(2026, 3, 12, 9, 0, tzinfo=datetime.UTC)):
        (row,) = progress.plan_progress(plan)

    assert [p.status for p in row.periods[:3]] == ["late", "late", "open"]
    assert row.status == "late"


@pytest.mark.parametrize(
    ("achieved", "status"),
    [(9.0, "on_track"), (8.99, "at_risk"), (7.0, "at_risk"), (6.99, "off_track"), (0, "off_track")],
)
def test_the_status_rule_at_its_edges_for_a_count(achieved, status):
    assert (
        progress.judge(
            achieved=achieved, expected=10, baseline=0, target=120, aggregation=Aggregation.SUM
        )
        == status
    )


@pytest.mark.parametrize(
    ("achieved", "status"),
    # From a baseline of 5 days to a target of 1: half way expected 3 (2 days gained).
    [
        (3.0, "on_track"),
        (3.2, "on_track"),
        (3.21, "at_risk"),
        (3.6, "at_risk"),
        (3.61, "off_track"),
    ],
)
def test_the_status_rule_for_a_level_that_should_go_down(achieved, status):
    assert (
        progress.judge(
            achieved=achieved, expected=3, baseline=5, target=1, aggregation=Aggregation.LATEST
        )
        == status
    )


def test_a_quarter_cut_short_by_the_plan_ends_with_the_plan():
    found = periods(
        datetime.date(2026, 2, 1), datetime.date(2026, 8, 31), "quarterly", reporting_days=5
    )

    assert [(p.start, p.last_day) for p in found] == [
        (datetime.date(2026, 2, 1), datetime.date(2026, 4, 30)),
        (datetime.date(2026, 5, 1), datetime.date(2026, 7, 31)),
        (datetime.date(2026, 8, 1), datetime.date(2026, 8, 31)),
    ]
    assert found[0].due_on == datetime.date(2026, 5, 6)


def test_meetings_held_are_counted_in_the_period_of_the_groups_time_zone(world, at):
    # A meeting at 00:30 on 1 February in Tunis is 23:30 on 31 January in UTC: February's.
    world.group.time_zone = "Africa/Tunis"
    world.group.save()
    with at(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)):
        world.meeting(start=datetime.datetime(2026, 2, 1, 0, 30), rrule="")  # noqa: DTZ001
        world.meeting(start=datetime.datetime(2026, 1, 20, 10, 0), rrule="")  # noqa: DTZ001
    plan = make_plan(world)
    indicator = services.indicator_create(
        actor=world.coordinator, plan_id=plan.pk, name="Meetings", target=12, source="meetings_held"
    )

    (row,) = progress.plan_progress(plan)

    assert row.indicator == indicator
    assert [p.actual for p in row.periods[:3]] == [1, 1, 0]


def test_progress_reads_a_fixed_number_of_queries_whatever_the_number_of_indicators(world):
    plan = make_plan(world)

    def count(indicators: int) -> int:
        _activity, first = make_reported(world, plan)
        for number in range(indicators):
            services.indicator_create(
                actor=world.coordinator,
                plan_id=plan.pk,
                activity=first.activity,
                name=f"Indicator {number}",
                target=10,
            )
            services.indicator_create(
                actor=world.coordinator,
                plan_id=plan.pk,
                name=f"Computed {number}",
                target=10,
                source="action_items_on_time",
            )
        client = api(type(world.member_worker).objects.get(pk=world.member_worker.pk))
        cache.clear()  # computed afresh each time (the sources' figures are kept a while)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{PLAN}{plan.pk}/progress/").status_code == 200
        return len(queries)

    assert count(2) == count(20)


def test_meetings_held_and_attendance_count_series_cancellations_and_records(world, at):
    from coordination.indicator_sources import attendance_rate, meetings_held
    from coordination.indicators import Window
    from coordination.models import Attendance, Occurrence
    from coordination.periods import periods as plan_periods

    world.group.time_zone = "Africa/Tunis"
    world.group.save()
    with at(datetime.datetime(2026, 1, 2, 9, 0, tzinfo=datetime.UTC)):
        series = world.meeting(start=datetime.datetime(2026, 1, 6, 10, 0))  # noqa: DTZ001 - 1st Tuesday
        single = world.meeting(start=datetime.datetime(2026, 2, 20, 10, 0), rrule="")  # noqa: DTZ001
    with at(datetime.datetime(2026, 1, 2, 9, 0, tzinfo=datetime.UTC)):
        services.sitting_cancel(
            meeting_id=series.pk,
            original_start=datetime.datetime(2026, 2, 3, 9, 0, tzinfo=datetime.UTC),
            actor=world.coordinator,
        )
    january = Occurrence.objects.create(
        meeting=series, original_start=datetime.datetime(2026, 1, 6, 9, 0, tzinfo=datetime.UTC)
    )
    for organisation, present in (
        (world.cso, True),
        (world.office, True),
        (world.municipality, False),
    ):
        Attendance.objects.create(occurrence=january, organisation=organisation, present=present)
    import zoneinfo

    window = Window(
        group=world.group,
        organisation_ids=[],
        time_zone=zoneinfo.ZoneInfo("Africa/Tunis"),
        periods=plan_periods(
            datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), "monthly", reporting_days=10
        )[:3],
    )

    held = meetings_held(window)  # today is 2 March: March's sitting (the 3rd) has not begun
    rates = attendance_rate(window)

    assert [held[p.start] for p in window.periods] == [1, 1, 0]  # February: the single one
    assert single.rrule == ""
    assert [rates[p.start] for p in window.periods] == [66.7, None, None]


def test_computed_values_are_kept_a_while_like_the_statistics(world, settings):
    plan = make_plan(world)
    services.indicator_create(
        actor=world.coordinator, plan_id=plan.pk, name="Meetings", target=12, source="meetings_held"
    )
    settings.STATS_CACHE_SECONDS = 300
    before = progress.plan_progress(plan)[0].periods[1].actual
    world.meeting(start=datetime.datetime(2026, 2, 10, 10, 0), rrule="")  # noqa: DTZ001

    kept = progress.plan_progress(plan)[0].periods[1].actual
    settings.STATS_CACHE_SECONDS = 0
    live = progress.plan_progress(plan)[0].periods[1].actual

    assert (before, kept, live) == (0, 0, 1)
