"""Coordination's part of the demo world: the Sfax group, its monthly meeting series (the first
Tuesday at 10:00, Africa/Tunis), a past meeting with attendance, minutes, decisions and action
items, an alert and a contingency plan. Idempotent: everything is found by name and made once.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.utils import timezone

from coordination import demo_mechanism, schedule, services
from coordination.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaStatus,
    Alert,
    AlertAcknowledgement,
    Attendance,
    ContingencyPlan,
    CoordinationGroup,
    Decision,
    Meeting,
    MeetingStatus,
    Occurrence,
    PlanRole,
)
from organisations.demo import CSO1, CSO2, IO, MUNICIPALITY
from organisations.models import Organisation

GROUP_NAME = "Sfax migration coordination"
SERIES_TITLE = "Monthly coordination meeting"
TIME_ZONE = "Africa/Tunis"
# The first Tuesday of January 2025: the series has a past and a future whenever the demo runs.
SERIES_START = datetime.date(2025, 1, 7)
SERIES_RULE = "FREQ=MONTHLY;BYDAY=1TU"
ALERT_TITLE = "Large arrival expected at the port tonight"
PLAN_TITLE = "Sudden influx at the port of Sfax"

MINUTES = """\
## Situation

- Arrivals at the port went **up** this month; most people continue towards Tunis.
- The municipal night shelter is full on most nights; the waiting list is kept by the social
  affairs department.

## Overlaps and gaps

Two organisations distribute food near the central market on the same days: the Sfax Solidarity
Network moves to Tuesdays and Thursdays. Nobody offers legal information at the port yet.

## Next steps

See the decisions and action items below.
"""


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def seed(organisations: dict[str, Organisation]) -> CoordinationGroup:
    group, _ = CoordinationGroup.objects.update_or_create(
        name=GROUP_NAME,
        defaults={
            "convening_organisation": organisations[MUNICIPALITY],
            "time_zone": TIME_ZONE,
            "description": (
                "Monthly coordination of the city, civil society and international partners."
            ),
        },
    )
    group.members.set([organisations[name] for name in (MUNICIPALITY, CSO1, CSO2, IO)])
    services.group_set_coordinators(
        group=group,
        coordinators=get_user_model().objects.filter(
            username__in=["muni.supervisor", "io.coordinator"]
        ),
    )
    series = _series(group)
    _past_meeting(series, organisations)
    _alert(group, organisations)
    _plan(group, organisations)
    demo_mechanism.seed(group, organisations)
    return group


def _series(group: CoordinationGroup) -> Meeting:
    meeting, _ = Meeting.objects.get_or_create(
        group=group,
        title=SERIES_TITLE,
        defaults={
            "start_date": SERIES_START,
            "start_time": datetime.time(10, 0),
            "first_start": timezone.now(),
        },
    )
    meeting.description = (
        "Who does what where, overlaps and gaps, referrals that wait, and the month ahead."
    )
    meeting.start_date = SERIES_START
    meeting.start_time = datetime.time(10, 0)
    meeting.time_zone = TIME_ZONE
    meeting.duration_minutes = 120
    meeting.rrule = SERIES_RULE
    meeting.place = "Municipality of Sfax, meeting room 2"
    meeting.online_url = "https://meet.example.org/sfax-coordination"
    meeting.status = MeetingStatus.SCHEDULED
    meeting.created_by = _user("io.coordinator")
    meeting.first_start, meeting.last_end = schedule.bounds(
        meeting, rows=list(meeting.occurrences.all()) if meeting.pk else []
    )
    meeting.save()
    meeting.invited_organisations.set(group.members.all())
    return meeting


def _past_meeting(series: Meeting, organisations: dict[str, Organisation]) -> None:
    """The latest sitting before today, held, with its record (once: a later run keeps it)."""
    if series.occurrences.filter(status=MeetingStatus.HELD).exists():
        return
    now = timezone.now()
    past = schedule.sittings(series, start=now - datetime.timedelta(days=62), end=now)
    if not past:
        return
    sitting = past[-1]
    coordinator = _user("io.coordinator")
    row, _ = Occurrence.objects.get_or_create(meeting=series, original_start=sitting.original_start)
    row.status = MeetingStatus.HELD
    row.minutes = MINUTES
    row.minutes_updated_at = sitting.ends_at
    row.minutes_updated_by = coordinator
    row.save()
    present = {MUNICIPALITY, CSO1, IO}
    for name, organisation in organisations.items():
        Attendance.objects.update_or_create(
            occurrence=row,
            organisation=organisation,
            defaults={"present": name in present, "recorded_by": coordinator},
        )
    for position, (title, proposer) in enumerate(
        [
            ("Arrivals at the port this month", IO),
            ("Food distribution near the central market: two organisations on the same days", CSO1),
            ("Referrals waiting for an answer", MUNICIPALITY),
        ],
        start=1,
    ):
        AgendaItem.objects.get_or_create(
            occurrence=row,
            title=title,
            defaults={
                "status": AgendaStatus.ACCEPTED,
                "position": position,
                "proposed_by_organisation": organisations[proposer],
                "decided_by": coordinator,
                "decided_at": sitting.starts_at,
            },
        )
    for text in (
        "The Sfax Solidarity Network distributes food on Tuesdays and Thursdays only.",
        "Legal Aid Sfax prepares a legal information session at the port.",
    ):
        Decision.objects.get_or_create(
            occurrence=row, text=text, defaults={"recorded_by": coordinator}
        )
    day = sitting.starts_at.date()
    for title, owner, person, due, status in (
        (
            "Share the updated list of emergency shelter places",
            CSO1,
            None,
            day + datetime.timedelta(days=14),
            ActionStatus.OPEN,
        ),
        (
            "Prepare a legal information session at the port",
            CSO2,
            "cso2.worker",
            day + datetime.timedelta(days=40),
            ActionStatus.IN_PROGRESS,
        ),
        (
            "Circulate the waiting list of the night shelter",
            MUNICIPALITY,
            "muni.staff",
            day + datetime.timedelta(days=7),
            ActionStatus.DONE,
        ),
    ):
        ActionItem.objects.get_or_create(
            group=series.group,
            occurrence=row,
            title=title,
            defaults={
                "owner_organisation": organisations[owner],
                "owner_user": _user(person) if person else None,
                "due_on": due,
                "status": status,
                "completed_at": sitting.ends_at if status == ActionStatus.DONE else None,
                "created_by": coordinator,
            },
        )
    # And a proposal from a member for the next sitting.
    coming = schedule.sittings(series, start=now, end=now + datetime.timedelta(days=62))
    if coming:
        next_row, _ = Occurrence.objects.get_or_create(
            meeting=series, original_start=coming[0].original_start
        )
        AgendaItem.objects.get_or_create(
            occurrence=next_row,
            title="Winter: extra places in the night shelter",
            defaults={
                "proposed_by": _user("cso1.worker"),
                "proposed_by_organisation": organisations[CSO1],
            },
        )


def _alert(group: CoordinationGroup, organisations: dict[str, Organisation]) -> None:
    alert, created = Alert.objects.get_or_create(
        group=group,
        title=ALERT_TITLE,
        defaults={
            "message": (
                "The port authority expects about 120 people to arrive tonight. The municipal "
                "shelter opens its overflow room; partners with staff on duty, please confirm."
            ),
            "sent_by": _user("io.coordinator"),
            "sent_by_organisation": organisations[IO],
        },
    )
    if created:
        alert.recipients.set(group.members.all())
    for name, username in ((IO, "io.coordinator"), (MUNICIPALITY, "muni.supervisor")):
        AlertAcknowledgement.objects.get_or_create(
            alert=alert,
            organisation=organisations[name],
            defaults={"acknowledged_by": _user(username)},
        )


def _plan(group: CoordinationGroup, organisations: dict[str, Organisation]) -> None:
    plan, _ = ContingencyPlan.objects.update_or_create(
        group=group,
        title=PLAN_TITLE,
        defaults={
            "scenario": (
                "More than 200 people arrive at the port within 48 hours, many of them without "
                "shelter, some of them unaccompanied children or injured."
            ),
            "contacts": "Municipal duty phone: +216 74 000 199 (24/7)",
            "created_by": _user("muni.supervisor"),
        },
        # Reviewed thirteen months ago: the plan shows as due for review (until someone does).
        create_defaults={"last_reviewed_on": timezone.localdate() - relativedelta(months=13)},
    )
    roles = {
        MUNICIPALITY: (
            "Opens the overflow room of the night shelter; chairs a daily call.",
            "+216 74 000 199",
        ),
        CSO1: (
            "Food and water at the port within 4 hours; psychosocial first aid.",
            "+216 74 000 200",
        ),
        CSO2: ("Legal information on site from the second day.", "help@legalaid-sfax.example"),
        IO: (
            "Identifies unaccompanied children and refers them; coordinates with Tunis.",
            "+216 70 000 300",
        ),
    }
    for name, (role, contact) in roles.items():
        PlanRole.objects.update_or_create(
            plan=plan, organisation=organisations[name], defaults={"role": role, "contact": contact}
        )
