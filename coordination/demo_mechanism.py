"""The demo group's mechanism: adopted terms of reference endorsed by three of its four
organisations, pathways for gender-based-violence response and emergency shelter, and a joint
action plan for the current year (three objectives, eight activities, ten indicators: five
computed from referrals and meetings, five reported, with the past periods' reports, one late).
Idempotent: found by title, made once; reports are filed for periods that have none.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from coordination import permissions, services
from coordination.models import (
    ActionPlan,
    ActivityStatus,
    CoordinationGroup,
    Decision,
    FundingStatus,
    IndicatorReport,
    MeetingStatus,
    Occurrence,
    Pathway,
)
from coordination.periods import periods
from organisations.demo import CSO1, CSO2, IO, MUNICIPALITY
from organisations.models import Organisation, Service, ServiceCategory

PLAN_TITLE = "Joint action plan {year}"
ADOPTION = "The group adopts its terms of reference and its referral pathways."
MANDATE = (
    "Accompany migrants in Sfax together: refer each person to the organisation that can help, "
    "avoid overlapping functions, share scarce resources, and meet every month to divide the "
    "work so that nobody falls through."
)
COMMITMENTS = {
    MUNICIPALITY: (
        "Convenes the group; the night shelter and the health centre.",
        "Social affairs",
    ),
    CSO1: ("Food, host families, psychosocial support, the children's day centre.", "Amel B."),
    CSO2: ("Legal counselling and help with civil documents.", "Youssef K."),
    IO: ("Identifies unaccompanied children; the medical referral fund.", "Claire Martin"),
}


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _service(name: str) -> Service | None:
    return Service.objects.filter(name=name).first()


def seed(group: CoordinationGroup, organisations: dict[str, Organisation]) -> None:
    coordinator = _user("io.coordinator")
    if coordinator is None:
        return
    permissions.forget(group)
    decision = _adoption_decision(group, coordinator)
    _terms(group, organisations, coordinator, decision)
    _pathways(group, coordinator, decision)
    _plan(group, organisations, coordinator)


def _adoption_decision(group: CoordinationGroup, coordinator) -> Decision | None:
    held = (
        Occurrence.objects.filter(meeting__group=group, status=MeetingStatus.HELD)
        .order_by("-original_start")
        .first()
    )
    if held is None:
        return None
    decision, _ = Decision.objects.get_or_create(
        occurrence=held, text=ADOPTION, defaults={"recorded_by": coordinator}
    )
    return decision


def _terms(group, organisations, coordinator, decision) -> None:
    terms = group.terms.order_by("version").first()
    if terms is None:
        terms = services.terms_create(
            actor=coordinator,
            group=group,
            mandate=MANDATE,
            scope="Sfax and its suburbs; every kind of help a migrant may need.",
            decision_making="By consensus of the members present; otherwise by the coordinators.",
            meeting_frequency="Monthly, the first Tuesday at 10:00",
            commitments={organisations[name].pk: row for name, row in COMMITMENTS.items()},
        )
    if decision is not None and not terms.is_adopted:
        services.terms_adopt(actor=coordinator, terms_id=terms.pk, decision=decision)
        terms.refresh_from_db()
    if not terms.is_adopted:
        return
    # Three of four endorse; the Mediterranean Migration Office has not yet.
    for name, username in ((MUNICIPALITY, "muni.supervisor"), (CSO1, "cso1.admin"), (CSO2, None)):
        if terms.endorsements.filter(organisation=organisations[name]).exists():
            continue
        terms.endorsements.create(
            organisation=organisations[name], endorsed_by=_user(username) if username else None
        )


PATHWAYS = [
    (
        ServiceCategory.GBV_RESPONSE,
        "Gender-based violence: the first 72 hours",
        [
            (
                "Listen, believe, and ask what the person wants",
                "Never press for details.",
                ["Listening and psychosocial support"],
            ),
            (
                "Medical care within 72 hours",
                "Emergency contraception and post-exposure prophylaxis.",
                ["Municipal health centre", "Medical referral fund"],
            ),
            (
                "A safe place tonight",
                "Host families first; the night shelter if none is free.",
                ["Host families", "Emergency night shelter"],
            ),
            ("Legal information, if she wishes", "", ["Legal counselling"]),
        ],
    ),
    (
        ServiceCategory.EMERGENCY_SHELTER,
        "Emergency shelter tonight",
        [
            (
                "Call the night shelter's duty phone",
                "The waiting list is kept by social affairs.",
                ["Emergency night shelter"],
            ),
            ("Host families when the shelter is full", "", ["Host families"]),
            ("A hot meal", "", ["Hot meals and food parcels", "Social canteen"]),
        ],
    ),
]


def _pathways(group, coordinator, decision) -> None:
    for category, title, steps in PATHWAYS:
        pathway = Pathway.objects.filter(group=group, category=category).first()
        if pathway is None:
            pathway = services.pathway_create(
                actor=coordinator,
                group=group,
                category=category,
                city="Sfax",
                title=title,
                steps=[
                    {
                        "title": step,
                        "guidance": guidance,
                        "services": [s for s in map(_service, names) if s is not None],
                    }
                    for step, guidance, names in steps
                ],
            )
        if decision is not None and pathway.adopted_at is None:
            pathway = services.pathway_adopt(
                actor=coordinator, pathway_id=pathway.pk, decision=decision
            )
        # The shelter pathway is on the public "find help" pages (the host families never are).
        shelter = category == ServiceCategory.EMERGENCY_SHELTER
        if shelter and pathway.adopted_at and not pathway.is_published:
            services.pathway_update(actor=coordinator, pathway_id=pathway.pk, is_published=True)


OBJECTIVES = [
    ("Nobody sleeps outside", ServiceCategory.EMERGENCY_SHELTER),
    ("Every person referred gets an answer quickly", ""),
    ("Rights and documents for all", ServiceCategory.LEGAL_AID),
]
ACTIVITIES = [
    # objective, title, lead, partners, status, funding, amount
    (0, "Winter places in the night shelter", MUNICIPALITY, [CSO1], "ongoing", "funded", 45000),
    (0, "Host families network", CSO1, [IO], "ongoing", "partly_funded", 12000),
    (0, "Hot meals at the central market", CSO1, [MUNICIPALITY], "ongoing", "funded", 8000),
    (
        1,
        "Weekly review of referrals waiting for an answer",
        MUNICIPALITY,
        [],
        "ongoing",
        "funded",
        None,
    ),
    (
        1,
        "Identification of unaccompanied children at the port",
        IO,
        [CSO1],
        "ongoing",
        "funded",
        20000,
    ),
    (1, "Monthly coordination meetings", IO, [MUNICIPALITY], "ongoing", "funded", None),
    (2, "Legal information sessions at the port", CSO2, [IO], "ongoing", "unfunded", None),
    (2, "Help with civil documents", CSO2, [], "planned", "partly_funded", 6000),
]
# objective, name, unit, baseline, target, computed source or activity index, frequency,
# aggregation of a reported value
INDICATORS = [
    (0, "Nights of shelter given", "nights", 0, 9000, 1, "monthly", "sum"),
    (0, "People placed in host families", "people", 0, 240, 1, "monthly", "sum"),
    (0, "Hot meals served", "meals", 0, 36000, 2, "monthly", "sum"),
    (0, "Places in the night shelter", "places", 60, 90, 0, "quarterly", "latest"),
    (1, "Referrals received by the members", "", 0, 400, "referrals_received", "monthly", ""),
    (1, "Referrals completed", "", 0, 300, "referrals_completed", "monthly", ""),
    (1, "Median days to accept a referral", "", 5, 2, "median_days_to_accept", "monthly", ""),
    (1, "Share declined for lack of capacity", "", 20, 10, "declined_no_capacity", "quarterly", ""),
    (1, "Coordination meetings held", "", 0, 12, "meetings_held", "monthly", ""),
    (1, "Attendance at coordination meetings", "", 60, 90, "attendance_rate", "monthly", ""),
]
# Who reports for each lead organisation (a supervisor or an admin of it).
REPORTERS = {MUNICIPALITY: "muni.supervisor", CSO1: "cso1.supervisor"}
DUE_SOON = "People placed in host families"  # its latest ended period waits for cso1.supervisor
LATE = "Hot meals served"  # its latest period past due was not reported


def _plan(group, organisations, coordinator) -> None:
    today = timezone.now().astimezone(permissions.group_zone(group)).date()
    start = datetime.date(today.year, 1, 1)
    if today.month == 1:  # in January the plan of the year has no past yet: start in December
        start = datetime.date(today.year - 1, 12, 1)
    title = PLAN_TITLE.format(year=today.year)
    plan = ActionPlan.objects.filter(group=group, title=title).first()
    if plan is None:
        plan = services.action_plan_create(
            actor=coordinator,
            group=group,
            title=title,
            description="What the members agreed to do together this year, and how it is measured.",
            start_on=start,
            end_on=datetime.date(today.year, 12, 31),
        )
        # Written when the year began: its past reports are due, not forgiven.
        ActionPlan.objects.filter(pk=plan.pk).update(
            created_at=datetime.datetime.combine(start, datetime.time(9), tzinfo=datetime.UTC)
        )
        objectives = [
            services.objective_save(
                actor=coordinator, plan_id=plan.pk, title=name, category=category, position=n
            )
            for n, (name, category) in enumerate(OBJECTIVES)
        ]
        activities = []
        for objective, name, lead, partners, status, funding, amount in ACTIVITIES:
            activities.append(
                services.activity_create(
                    actor=coordinator,
                    plan_id=plan.pk,
                    objective=objectives[objective],
                    title=name,
                    lead_organisation=organisations[lead],
                    partners=[organisations[p] for p in partners],
                    area="Sfax",
                    start_on=plan.start_on,
                    end_on=plan.end_on,
                    status=ActivityStatus(status),
                    funding_status=FundingStatus(funding),
                    funding_amount=amount,
                    funding_currency="TND" if amount else "",
                )
            )
        for position, row in enumerate(INDICATORS):
            objective, name, unit, baseline, target, how, frequency, aggregation = row
            computed = isinstance(how, str)
            services.indicator_create(
                actor=coordinator,
                plan_id=plan.pk,
                objective=objectives[objective],
                activity=None if computed else activities[how],
                name=name,
                unit=unit,
                baseline=baseline,
                target=target,
                source=how if computed else "",
                frequency=frequency,
                aggregation=aggregation or "sum",
                position=position,
            )
    _reports(plan, today)


def _reports(plan: ActionPlan, today: datetime.date) -> None:
    """Values for every ended period, but two: the latest ended period of ``DUE_SOON`` (due for
    ``cso1.supervisor``) and the latest period past due of ``LATE``."""
    indicators = plan.indicators.filter(source="").select_related("activity__lead_organisation")
    for indicator in indicators:
        reporter = _user(REPORTERS.get(indicator.activity.lead_organisation.name, ""))
        if reporter is None:
            continue
        ended = [
            p
            for p in periods(
                plan.start_on, plan.end_on, indicator.frequency, reporting_days=plan.reporting_days
            )
            if p.has_ended(today)
        ]
        skip = set()
        if indicator.name == DUE_SOON and ended:
            skip.add(ended[-1].start)
        past_due = [p for p in ended if p.due_on < today]
        if indicator.name == LATE and past_due:
            skip.add(past_due[-1].start)
        done = set(
            IndicatorReport.objects.filter(indicator=indicator).values_list(
                "period_start", flat=True
            )
        )
        for period in ended:
            if period.start in skip or period.start in done:
                continue
            services.indicator_report(
                actor=reporter,
                indicator_id=indicator.pk,
                period_start=period.start,
                value=_value(indicator, period.index),
            )


def _value(indicator, index: int) -> int:
    """A plausible value: a count near its share of the target, a level on its way to it."""
    baseline, target = float(indicator.baseline), float(indicator.target)
    if indicator.aggregation == "latest":
        return int(baseline + (target - baseline) * min(index, 4) / 4)
    per_period = target / (12 if indicator.frequency == "monthly" else 4)
    return int(per_period * (0.8 + 0.05 * (index % 5)))
