"""Reminders of indicator reports: before the due date to the lead organisation, after it to the
organisation and the coordinators; once each, also when the sweep runs twice or in parallel."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings

from coordination import services, tasks
from coordination.models import ReportReminder
from notifications.models import Notification
from tests.coordination.conftest import written

UTC = datetime.UTC


def reported_indicator(world):
    plan = services.action_plan_create(
        actor=world.coordinator,
        group=world.group,
        title="Plan 2026",
        start_on=datetime.date(2026, 1, 1),
        end_on=datetime.date(2026, 12, 31),
        reporting_days=10,
    )
    activity = services.activity_create(
        actor=world.coordinator,
        plan_id=plan.pk,
        title="Night shelter",
        lead_organisation=world.cso,
        start_on=plan.start_on,
        end_on=plan.end_on,
    )
    return services.indicator_create(
        actor=world.coordinator, plan_id=plan.pk, activity=activity, name="Nights", target=120
    )


def sweep(at, moment: datetime.datetime) -> int:
    with at(moment):
        sent = tasks.indicator_report_sweep_task.delay().get()
    written()
    return sent


def told() -> list[tuple[str, str]]:
    return sorted(
        (key.split(":")[-1], user)
        for key, user in Notification.objects.filter(kind="coordination.plan").values_list(
            "key", "recipient__username"
        )
    )


def test_a_report_is_reminded_before_it_is_due_and_once_late(world, at):
    reported_indicator(world)  # written on 2 March: January's report (due 11 February) is past

    assert sweep(at, datetime.datetime(2026, 3, 7, 9, tzinfo=UTC)) == 0  # too early
    assert sweep(at, datetime.datetime(2026, 3, 8, 9, tzinfo=UTC)) == 1  # February, due 11 March
    assert sweep(at, datetime.datetime(2026, 3, 9, 9, tzinfo=UTC)) == 0
    assert sweep(at, datetime.datetime(2026, 3, 12, 9, tzinfo=UTC)) == 1  # late
    assert sweep(at, datetime.datetime(2026, 3, 12, 10, tzinfo=UTC)) == 0

    assert told() == [
        ("due", "member.supervisor"),
        ("late", "coordinator"),
        ("late", "member.supervisor"),
    ]


def test_a_report_filed_in_time_is_not_chased(world, at):
    indicator = reported_indicator(world)
    with at(datetime.datetime(2026, 3, 5, 9, tzinfo=UTC)):
        services.indicator_report(
            actor=world.member_supervisor,
            indicator_id=indicator.pk,
            period_start=datetime.date(2026, 2, 1),
            value=Decimal(9),
        )

    assert sweep(at, datetime.datetime(2026, 3, 9, 9, tzinfo=UTC)) == 0
    assert sweep(at, datetime.datetime(2026, 3, 12, 9, tzinfo=UTC)) == 0
    assert told() == []


def test_two_sweeps_claim_each_reminder_once(world, at):
    indicator = reported_indicator(world)
    with at(datetime.datetime(2026, 3, 12, 9, tzinfo=UTC)):
        sent = [
            services.report_remind(
                indicator_id=indicator.pk, period_start=datetime.date(2026, 2, 1), kind="late"
            )
            for _ in range(2)
        ]

    assert sent == [True, False]
    assert ReportReminder.objects.count() == 1


def test_the_report_sweep_is_a_beat_entry():
    assert "coordination.tasks.indicator_report_sweep_task" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
