"""The registry's part of the demo world (DESIGN.md, "Demo world": keep it exactly)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from organisations import permissions, services
from organisations.models import (
    CapacityStatus as Cap,
)
from organisations.models import (
    Organisation,
    OrganisationKind,
    Partnership,
    Service,
)
from organisations.models import (
    ServiceCategory as Cat,
)

DEMO_PASSWORD = "demo-pass-2026"
MUNICIPALITY = "Municipality of Sfax"
CSO1 = "Sfax Solidarity Network"
CSO2 = "Legal Aid Sfax"
IO = "Mediterranean Migration Office"

ORGANISATIONS = {
    MUNICIPALITY: {
        "kind": OrganisationKind.MUNICIPALITY,
        "is_verified": True,
        "description": "Social affairs department of the City of Sfax.",
        "address": "Avenue Hédi Chaker, Sfax",
        "postal_code": "3000",
        "region": "Sfax",
        "phone": "+216 74 000 100",
        "email": "social@sfax.example",
    },
    CSO1: {
        "kind": OrganisationKind.CSO,
        "is_verified": True,
        "description": "Network of volunteers offering shelter, food and psychosocial support.",
        "address": "Rue de Tunis 12, Sfax",
        "postal_code": "3000",
        "region": "Sfax",
        "phone": "+216 74 000 200",
        "email": "contact@solidarity-sfax.example",
    },
    CSO2: {
        "kind": OrganisationKind.CSO,
        "is_verified": True,
        "description": "Lawyers and paralegals: residence, asylum and labour rights.",
        "address": "Rue Habib Maazoun 5, Sfax",
        "postal_code": "3000",
        "region": "Sfax",
        "email": "help@legalaid-sfax.example",
    },
    IO: {
        "kind": OrganisationKind.INTERNATIONAL,
        "is_verified": False,
        "description": "Regional office supporting coordination and voluntary return.",
        "email": "sfax@mmo.example",
    },
}

USERS = [
    # username, organisation, role, first name, last name
    ("muni.staff", MUNICIPALITY, "caseworker", "Amira", "Ben Salah"),
    ("muni.supervisor", MUNICIPALITY, "supervisor", "Karim", "Trabelsi"),
    ("cso1.worker", CSO1, "caseworker", "Leila", "Haddad"),
    ("cso1.supervisor", CSO1, "supervisor", "Sami", "Jebali"),
    ("cso1.admin", CSO1, "admin", "Nour", "Gharbi"),
    ("cso2.worker", CSO2, "caseworker", "Youssef", "Mansour"),
    ("io.coordinator", IO, "caseworker", "Claire", "Martin"),
]

CONFIDENTIAL = {"Host families"}
SERVICES = [
    # organisation, name, category, area, capacity, languages
    (
        MUNICIPALITY,
        "Emergency night shelter",
        Cat.EMERGENCY_SHELTER,
        "Sfax Médina",
        Cap.WAITING_LIST,
        ["ar", "fr"],
    ),
    (
        MUNICIPALITY,
        "Municipal health centre",
        Cat.HEALTH,
        "Sfax Ville",
        Cap.AVAILABLE,
        ["ar", "fr"],
    ),
    (MUNICIPALITY, "Social canteen", Cat.FOOD, "Sfax Médina", Cap.AVAILABLE, ["ar"]),
    (
        CSO1,
        "Hot meals and food parcels",
        Cat.FOOD,
        "Sfax Médina",
        Cap.AVAILABLE,
        ["ar", "fr", "en"],
    ),
    (CSO1, "Host families", Cat.EMERGENCY_SHELTER, "Sakiet Ezzit", Cap.FULL, ["ar", "fr", "en"]),
    (
        CSO1,
        "Listening and psychosocial support",
        Cat.PSYCHOSOCIAL,
        "Sfax Ville",
        Cap.AVAILABLE,
        ["ar", "fr", "en"],
    ),
    (
        CSO1,
        "Unaccompanied children's day centre",
        Cat.CHILD_PROTECTION,
        "Sfax Ville",
        Cap.ASSESSMENT_NEEDED,
        ["ar", "fr"],
    ),
    (CSO2, "Legal counselling", Cat.LEGAL_AID, "Sfax Ville", Cap.AVAILABLE, ["ar", "fr", "en"]),
    (
        CSO2,
        "Help with civil documents",
        Cat.DOCUMENTATION,
        "Sfax Ville",
        Cap.WAITING_LIST,
        ["ar", "fr"],
    ),
    (IO, "Assisted voluntary return", Cat.DOCUMENTATION, "Sfax", Cap.AVAILABLE, ["ar", "fr", "en"]),
    (IO, "Medical referral fund", Cat.HEALTH, "Sfax", Cap.AVAILABLE, ["fr", "en"]),
]


def seed() -> dict[str, Organisation]:
    """Create or update the demo organisations, users, services and partnership; idempotent."""
    organisations = {}
    for name, fields in ORGANISATIONS.items():
        organisation, _ = Organisation.objects.update_or_create(
            name=name,
            defaults={
                **fields,
                "city": "Sfax",
                "verified_at": timezone.now() if fields["is_verified"] else None,
            },
        )
        permissions.role_groups_ensure(organisation=organisation)
        organisations[name] = organisation

    user_model = get_user_model()
    for username, organisation_name, role, first_name, last_name in USERS:
        user, _ = user_model.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@relais.example",
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        services.membership_add(organisation=organisations[organisation_name], user=user, role=role)

    admin, _ = user_model.objects.update_or_create(
        username="admin",
        defaults={
            "email": "admin@relais.example",
            "is_staff": True,
            "is_superuser": True,
            "is_active": True,
        },
    )
    admin.set_password(DEMO_PASSWORD)
    admin.save(update_fields=["password"])

    for organisation_name, name, category, area, capacity, languages in SERVICES:
        Service.objects.update_or_create(
            organisation=organisations[organisation_name],
            name=name,
            defaults={
                "category": category,
                "city": "Sfax",
                "area_served": area,
                "capacity_status": capacity,
                "languages": languages,
                "opening_hours": "Mo-Fr 08:30-16:30; PH off",
                "is_active": True,
                # Open data shows all but the host families, whose addresses stay private.
                "is_public": name not in CONFIDENTIAL,
                "location_confidential": name in CONFIDENTIAL,
            },
        )

    Partnership.objects.get_or_create(
        municipality=organisations[MUNICIPALITY],
        organisation=organisations[CSO1],
        defaults={
            "starts_on": datetime.date(2025, 1, 1),
            "scope": "Joint accompaniment of migrants: shelter, food and psychosocial support.",
        },
    )
    return organisations
