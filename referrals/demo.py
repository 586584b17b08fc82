"""The referrals' part of the demo world: a few cases with consents and referrals in several
states. Idempotent: each demo case has a fixed reference and is built once."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from organisations.demo import CSO1, CSO2, IO, MUNICIPALITY
from organisations.models import Organisation, Service
from referrals import permissions, services
from referrals.models import Case

CASES = [
    # reference, owner, creator, person, referrals
    (
        "C-DEMO0001",
        CSO1,
        "cso1.worker",
        {
            "given_name": "Aïcha",
            "age_band": "18-25",
            "sex": "female",
            "nationality": "CI",
            "languages": ["fr"],
            "vulnerabilities": ["woman_at_risk", "homeless"],
            "notes": "Arrived by sea last week; sleeping near the port.",
        },
        [
            (
                MUNICIPALITY,
                "emergency_shelter",
                "high",
                "Needs a safe place to sleep tonight.",
                "submitted",
            )
        ],
    ),
    (
        "C-DEMO0002",
        CSO1,
        "cso1.worker",
        {
            "given_name": "Moussa",
            "age_band": "26-59",
            "sex": "male",
            "nationality": "ML",
            "languages": ["fr", "bm"],
            "vulnerabilities": ["medical_need"],
        },
        [
            (
                MUNICIPALITY,
                "health",
                "normal",
                "Wound on the foot, not treated for ten days.",
                "in_progress",
            )
        ],
    ),
    (
        "C-DEMO0003",
        CSO1,
        "cso1.supervisor",
        {
            "given_name": "Fatou",
            "age_band": "26-59",
            "sex": "female",
            "nationality": "GN",
            "languages": ["fr"],
            "vulnerabilities": [],
        },
        [(CSO2, "legal_aid", "normal", "Employer keeps her passport.", "completed")],
    ),
    (
        "C-DEMO0004",
        CSO1,
        "cso1.worker",
        {
            "given_name": "",
            "age_band": "12-17",
            "sex": "male",
            "nationality": "SD",
            "languages": ["ar"],
            "vulnerabilities": ["unaccompanied_child"],
        },
        [(MUNICIPALITY, "education", "normal", "Wants to go back to school.", "declined")],
    ),
    (
        "C-DEMO0005",
        IO,
        "io.coordinator",
        {
            "given_name": "Ibrahim",
            "age_band": "26-59",
            "sex": "male",
            "nationality": "CM",
            "languages": ["fr", "en"],
            "vulnerabilities": [],
        },
        [
            (
                MUNICIPALITY,
                "documentation",
                "normal",
                "Lost all documents; asks for a civil record.",
                "pending_moderation",
            )
        ],
    ),
    (
        "C-DEMO0006",
        CSO1,
        "cso1.worker",
        {
            "given_name": "Grace",
            "age_band": "18-25",
            "sex": "female",
            "nationality": "NG",
            "languages": ["en"],
            "vulnerabilities": ["pregnant"],
        },
        [(MUNICIPALITY, "health", "emergency", "Pregnant, 8 months, no follow-up.", "draft")],
    ),
]


def seed(organisations: dict[str, Organisation]) -> int:
    users = {u.username: u for u in get_user_model().objects.all()}
    created = 0
    for reference, owner_name, creator, person, referrals in CASES:
        if Case.objects.filter(reference=reference).exists():
            continue
        owner = organisations[owner_name]
        case = Case.objects.create(
            reference=reference, owner=owner, created_by=users[creator], **person
        )
        permissions.case_grant_owner(case)
        created += 1
        for to_name, category, urgency, reason, target in referrals:
            to_organisation = organisations[to_name]
            services.consent_record(
                case=case,
                actor=users[creator],
                recipient=to_organisation,
                fields=["given_name", "age_band", "sex", "languages", "vulnerabilities"],
            )
            service = Service.objects.filter(
                organisation=to_organisation, category=category
            ).first()
            referral = services.referral_create(
                actor=users[creator],
                case=case,
                to_organisation=to_organisation,
                service_category=category,
                service=service,
                urgency=urgency,
                reason=reason,
            )
            _advance(referral.pk, target, users, creator)
    return created


def _advance(referral_id: int, target: str, users: dict, creator: str) -> None:
    """Walk the referral through the real services to the state the demo wants."""
    sender = users[creator]
    if target == "draft":
        return
    services.referral_submit(referral_id=referral_id, actor=sender)
    if target in ("submitted", "pending_moderation"):
        return
    receivers = {
        "in_progress": ("muni.staff",),
        "completed": ("cso2.worker",),
        "declined": ("muni.supervisor",),
    }[target]
    receiver = users[receivers[0]]
    services.referral_open(referral_id=referral_id, actor=receiver)
    if target == "declined":
        services.referral_decline(
            referral_id=referral_id,
            actor=receiver,
            reason="not_eligible",
            note="Schooling for minors is handled by the regional education office.",
            suggested_organisation=Organisation.objects.filter(name=CSO2).first(),
        )
        return
    services.referral_accept(referral_id=referral_id, actor=receiver)
    services.referral_start(referral_id=referral_id, actor=receiver)
    if target == "completed":
        services.referral_complete(
            referral_id=referral_id,
            actor=receiver,
            outcome="provided",
            note="Complaint filed with the labour inspectorate; passport returned.",
        )
