"""A year of past activity for the demo world, so that the statistics and the migration profile
have something to show: about 180 people registered over twelve months by the four demo
organisations, and about 220 referrals between them, all already answered (in care or closed).

History is written in bulk with its past dates (the services stamp "now"), through the same
permission functions that the services use, and with every event marked as notified: loading it
sends nothing and leaves no work for the deadline, event or retention sweeps.
Idempotent: the history cases carry the reference prefix ``C-H``.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from organisations.demo import CSO1, CSO2, IO, MUNICIPALITY
from organisations.models import Organisation
from referrals import permissions
from referrals.models import (
    RESPONSE_TIME,
    Case,
    DeclineReason,
    EventName,
    Outcome,
    Referral,
    ReferralEvent,
    State,
    Urgency,
)

PREFIX = "C-H"
SEED = 2026
MONTHS = 12

NATIONALITIES = [
    ("CI", 30),
    ("GN", 22),
    ("ML", 14),
    ("CM", 14),
    ("SD", 12),
    ("NG", 8),
    ("SN", 7),
    ("BF", 6),
    ("SL", 4),
    ("TD", 3),
    ("ER", 2),
    ("", 3),
]
LANGUAGES = {
    "CI": ["fr"],
    "GN": ["fr", "ff"],
    "ML": ["fr", "bm"],
    "CM": ["fr", "en"],
    "SD": ["ar"],
    "NG": ["en"],
    "SN": ["fr", "wo"],
    "BF": ["fr"],
    "SL": ["en"],
    "TD": ["ar", "fr"],
    "ER": ["ti", "ar"],
    "": ["en"],
}
AGE_BANDS = [("12-17", 12), ("18-25", 45), ("26-59", 38), ("0-5", 3), ("6-11", 2)]
VULNERABILITIES = [
    ("woman_at_risk", 18),
    ("homeless", 30),
    ("medical_need", 14),
    ("unaccompanied_child", 8),
    ("survivor_of_violence", 10),
    ("pregnant", 5),
    ("trafficking", 4),
    ("disability", 3),
]
# (sender, receiver, category, weight)
FLOWS = [
    (CSO1, MUNICIPALITY, "emergency_shelter", 24),
    (CSO1, MUNICIPALITY, "health", 16),
    (CSO1, CSO2, "legal_aid", 14),
    (CSO1, MUNICIPALITY, "food", 8),
    (IO, MUNICIPALITY, "emergency_shelter", 10),
    (IO, CSO1, "psychosocial", 9),
    (IO, CSO2, "documentation", 6),
    (CSO2, CSO1, "psychosocial", 6),
    (CSO2, MUNICIPALITY, "child_protection", 4),
    (MUNICIPALITY, CSO1, "gbv_response", 5),
    (MUNICIPALITY, CSO2, "legal_aid", 4),
]
CREATORS = {
    CSO1: "cso1.worker",
    CSO2: "cso2.worker",
    IO: "io.coordinator",
    MUNICIPALITY: "muni.staff",
}
RECEIVERS = {
    MUNICIPALITY: "muni.staff",
    CSO1: "cso1.worker",
    CSO2: "cso2.worker",
    IO: "io.coordinator",
}


def _pick(rng: random.Random, weighted: list[tuple[object, int]]) -> object:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def seed(organisations: dict[str, Organisation]) -> int:
    """Create the history once; returns the number of cases created."""
    if Case.objects.filter(reference__startswith=PREFIX).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    users = {u.username: u for u in get_user_model().objects.filter(username__in=CREATORS.values())}
    now = timezone.now()
    start = now - datetime.timedelta(days=30 * MONTHS)
    owners = [(CSO1, 45), (CSO2, 20), (IO, 25), (MUNICIPALITY, 10)]

    cases = []
    for number in range(180):
        owner = _pick(rng, owners)
        nationality = _pick(rng, NATIONALITIES)
        vulnerabilities = sorted(
            {_pick(rng, VULNERABILITIES) for _ in range(rng.choice([0, 1, 1, 2]))}
        )
        cases.append(
            Case(
                reference=f"{PREFIX}{number:05d}",
                owner=organisations[owner],
                age_band=_pick(rng, AGE_BANDS),
                sex=rng.choices(["male", "female"], weights=[58, 42])[0],
                nationality=nationality,
                nationality_other="Stateless" if not nationality else "",
                languages=LANGUAGES[nationality],
                vulnerabilities=vulnerabilities,
                created_by=users[CREATORS[owner]],
            )
        )
    created_cases = Case.objects.bulk_create(cases)
    # auto_now_add stamped "now": give each case its past date, more arrivals in recent months.
    stamps = {}
    for case in created_cases:
        number = int(case.reference[len(PREFIX) :])
        stamps[case.pk] = start + datetime.timedelta(
            days=30 * MONTHS * (1 - (1 - (number + 0.5) / 180) ** 1.25)
        )
    for case in created_cases:
        case.created_at = stamps[case.pk]
    Case.objects.bulk_update(created_cases, ["created_at"])
    by_owner: dict[str, list[Case]] = {}
    for case in created_cases:
        by_owner.setdefault(case.owner.name, []).append(case)
    for owner, owned in by_owner.items():
        permissions.case_grant_owner_bulk(organisations[owner], owned)

    _referrals(
        rng, organisations=organisations, by_owner=by_owner, stamps=stamps, users=users, now=now
    )
    return len(created_cases)


def _referrals(
    rng: random.Random,
    *,
    organisations: dict[str, Organisation],
    by_owner: dict[str, list[Case]],
    stamps: dict[int, datetime.datetime],
    users: dict,
    now: datetime.datetime,
) -> None:
    rows: list[Referral] = []
    flows = [((s, r, c), w) for s, r, c, w in FLOWS]
    for _ in range(220):
        sender, receiver, category = _pick(rng, flows)
        case = rng.choice(by_owner.get(sender) or by_owner[CSO1])
        sender = case.owner.name
        if receiver == sender:
            continue
        urgency = rng.choices(
            [Urgency.EMERGENCY, Urgency.HIGH, Urgency.NORMAL], weights=[15, 35, 50]
        )[0]
        submitted = stamps[case.pk] + datetime.timedelta(hours=rng.uniform(1, 96))
        if submitted > now - datetime.timedelta(days=3):
            continue
        response = RESPONSE_TIME[urgency]
        acknowledged = submitted + response * rng.uniform(0.05, 0.6)
        answered = acknowledged + response * rng.uniform(0.0, 0.5)
        outcome = rng.choices(
            ["completed", "declined", "in_progress", "expired", "withdrawn"],
            weights=[50, 18, 14, 8, 6],
        )[0]
        if outcome == "in_progress" and answered < now - datetime.timedelta(days=60):
            outcome = "completed"
        values: dict = {
            "case": case,
            "from_organisation": organisations[sender],
            "to_organisation": organisations[receiver],
            "service_category": category,
            "urgency": urgency,
            "reason": "",
            "created_by": users[CREATORS[sender]],
            "submitted_at": submitted,
            "remind_at": submitted + response / 2,
            "due_at": submitted + response,
            "expires_at": submitted + response * 2,
            "reminder_sent_at": submitted + response / 2,
        }
        values |= _answer(
            rng,
            outcome=outcome,
            submitted=submitted,
            acknowledged=acknowledged,
            answered=answered,
            response=response,
            assignee=users[RECEIVERS[receiver]],
            now=now,
        )
        closed_at = values.get("closed_at")
        if closed_at is not None and closed_at < now - datetime.timedelta(days=90):
            values["shared_data_revoked_at"] = closed_at + datetime.timedelta(days=90)
        rows.append(Referral(**values))
    referrals = Referral.objects.bulk_create(rows)
    for referral in referrals:
        referral.created_at = referral.submitted_at
    Referral.objects.bulk_update(referrals, ["created_at"])
    permissions.referral_grant_bulk(referrals)
    events = []
    for referral in referrals:
        for name, moment in (
            (EventName.SUBMITTED, referral.submitted_at),
            (EventName.ACKNOWLEDGED, referral.acknowledged_at),
            (
                EventName.DECLINED if referral.state == State.DECLINED else EventName.ACCEPTED,
                referral.answered_at,
            ),
            (
                {
                    State.COMPLETED: EventName.COMPLETED,
                    State.EXPIRED: EventName.EXPIRED,
                    State.WITHDRAWN: EventName.WITHDRAWN,
                }.get(referral.state),
                referral.closed_at if referral.state != State.DECLINED else None,
            ),
        ):
            if name and moment:
                events.append(
                    ReferralEvent(
                        referral=referral, name=name, created_at=moment, notified_at=moment
                    )
                )
    ReferralEvent.objects.bulk_create(events)


def _answer(
    rng: random.Random,
    *,
    outcome: str,
    submitted: datetime.datetime,
    acknowledged: datetime.datetime,
    answered: datetime.datetime,
    response: datetime.timedelta,
    assignee: object,
    now: datetime.datetime,
) -> dict:
    """The fields of an answered (or unanswered and expired) referral."""
    values: dict = {}
    if outcome == "expired":
        values |= {"state": State.EXPIRED, "closed_at": submitted + response * 2}
        values["escalation_sent_at"] = submitted + response
    elif outcome == "withdrawn":
        values |= {"state": State.WITHDRAWN, "closed_at": acknowledged}
        values["acknowledged_at"] = acknowledged
    elif outcome == "declined":
        reason = rng.choices(
            [
                DeclineReason.NO_CAPACITY,
                DeclineReason.NOT_ELIGIBLE,
                DeclineReason.UNREACHABLE,
                DeclineReason.CLIENT_DECLINED,
            ],
            weights=[55, 25, 12, 8],
        )[0]
        values |= {
            "state": State.DECLINED,
            "acknowledged_at": acknowledged,
            "answered_at": answered,
            "closed_at": answered,
            "decline_reason": reason,
        }
    else:
        values |= {
            "state": State.IN_PROGRESS if outcome == "in_progress" else State.COMPLETED,
            "acknowledged_at": acknowledged,
            "answered_at": answered,
            "assignee": assignee,
        }
        if outcome == "completed":
            closed = answered + datetime.timedelta(days=rng.uniform(1, 25))
            if closed >= now:
                values["state"] = State.IN_PROGRESS
            else:
                values["closed_at"] = closed
                values["outcome"] = rng.choices(
                    [Outcome.PROVIDED, Outcome.PARTIALLY_PROVIDED, Outcome.NOT_PROVIDED],
                    weights=[75, 18, 7],
                )[0]
    return values
