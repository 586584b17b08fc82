"""The coordination part of ``seed_demo``: the Sfax group's monthly series, a past meeting with
its record, an alert and a contingency plan; running it again changes nothing."""

from __future__ import annotations

import datetime
import zoneinfo
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from coordination import permissions, schedule
from coordination.models import (
    ActionItem,
    ActionPlan,
    Activity,
    AgendaItem,
    Alert,
    AlertAcknowledgement,
    Attendance,
    ContingencyPlan,
    CoordinationGroup,
    Decision,
    Endorsement,
    Indicator,
    IndicatorReport,
    Meeting,
    MeetingStatus,
    Occurrence,
    Pathway,
    PathwayStep,
    PlanRole,
    TermsOfReference,
)
from tests.coordination.conftest import NOW

pytestmark = pytest.mark.django_db
TUNIS = zoneinfo.ZoneInfo("Africa/Tunis")
MODELS = [
    Meeting,
    Occurrence,
    AgendaItem,
    Attendance,
    Decision,
    ActionItem,
    Alert,
    AlertAcknowledgement,
    ContingencyPlan,
    PlanRole,
    TermsOfReference,
    Endorsement,
    Pathway,
    PathwayStep,
    ActionPlan,
    Activity,
    Indicator,
    IndicatorReport,
]


def seed() -> None:
    call_command("seed_demo", "--force", stdout=StringIO())


def user(username: str):
    return get_user_model().objects.get(username=username)


def test_the_group_meets_on_the_first_tuesday_at_ten_in_tunis():
    seed()

    group = CoordinationGroup.objects.get(name="Sfax migration coordination")
    series = Meeting.objects.get(group=group)
    coming = schedule.sittings(series, start=NOW, end=NOW + datetime.timedelta(days=40))

    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TU"
    assert series.time_zone == "Africa/Tunis"
    assert [s.starts_at.date() for s in coming] == [
        datetime.date(2026, 3, 3),
        datetime.date(2026, 4, 7),
    ]
    assert {s.starts_at.astimezone(TUNIS).time() for s in coming} == {datetime.time(10, 0)}
    assert set(series.invited_organisations.all()) == set(group.members.all())


def test_a_past_meeting_has_attendance_minutes_and_action_items():
    seed()

    held = Occurrence.objects.get(status=MeetingStatus.HELD)

    assert held.original_start < NOW
    assert held.minutes.startswith("## Situation")
    assert held.attendance.filter(present=True).count() == 3
    assert held.agenda_items.filter(status="accepted").count() == 3
    assert held.decisions.count() == 3  # and the adoption of the terms and pathways
    assert held.action_items.count() == 3
    assert AgendaItem.objects.filter(status="proposed").count() == 1


def test_the_alert_the_plan_and_who_sees_them():
    seed()
    group = CoordinationGroup.objects.get()

    alert = Alert.objects.get()
    plan = ContingencyPlan.objects.get()

    assert alert.recipients.count() == 4
    assert alert.acknowledgements.count() == 2
    assert plan.roles.count() == 4
    assert plan.needs_review
    for username in ("muni.supervisor", "io.coordinator"):
        assert permissions.can_coordinate(user(username), group)
    for username in ("muni.staff", "cso1.worker", "cso1.admin", "cso2.worker"):
        assert permissions.can_view(user(username), group)
        assert not permissions.can_coordinate(user(username), group)
    assert permissions.can_broadcast(user("cso1.supervisor"), group)
    assert not permissions.can_view(user("admin"), group)


def test_running_it_again_changes_nothing():
    seed()
    before = {model.__name__: model.objects.count() for model in MODELS}

    seed()

    assert {model.__name__: model.objects.count() for model in MODELS} == before
    assert before["Meeting"] == 1


def test_the_group_has_its_terms_pathways_and_a_plan_for_the_year():
    from coordination import progress, selectors

    seed()

    group = CoordinationGroup.objects.get(name="Sfax migration coordination")
    terms = group.terms.get()
    assert terms.is_adopted
    assert terms.endorsements.count() == 3
    assert set(group.pathways.values_list("category", flat=True)) == {
        "gbv_response",
        "emergency_shelter",
    }
    assert all(p.adopted_at and p.steps.exists() for p in group.pathways.all())
    plan = group.action_plans.get()
    assert plan.start_on == datetime.date(2026, 1, 1)
    assert (plan.objectives.count(), plan.activities.count(), plan.indicators.count()) == (3, 8, 10)
    computed = set(plan.indicators.exclude(source="").values_list("source", flat=True))
    assert {"referrals_received", "meetings_held"} <= computed
    assert len(computed) >= 3
    supervisor = user("cso1.supervisor")
    assert plan.activities.filter(
        lead_organisation__memberships__user=supervisor, indicators__source=""
    ).exists()
    series = progress.plan_progress(plan)
    late = [(row.indicator.name, p.period.start) for row in series for p in row.late]
    assert late == [("Hot meals served", datetime.date(2026, 1, 1))]
    # cso1.supervisor has the late report to file, and February's, due soon (on 2 March).
    awaited = selectors.reports_awaited(supervisor, now=NOW)
    assert [(due.indicator.name, due.late) for due in awaited] == [
        ("Hot meals served", True),
        ("People placed in host families", False),
    ]
    assert permissions.can_view(user("cso2.worker"), group)
