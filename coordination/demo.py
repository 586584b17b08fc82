"""Coordination's part of the demo world."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from coordination.models import CoordinationGroup
from organisations.demo import CSO1, CSO2, IO, MUNICIPALITY
from organisations.models import Organisation

GROUP_NAME = "Sfax migration coordination"


def seed(organisations: dict[str, Organisation]) -> CoordinationGroup:
    group, _ = CoordinationGroup.objects.update_or_create(
        name=GROUP_NAME,
        defaults={
            "convening_organisation": organisations[MUNICIPALITY],
            "description": (
                "Monthly coordination of the city, civil society and international partners."
            ),
        },
    )
    group.members.set([organisations[name] for name in (MUNICIPALITY, CSO1, CSO2, IO)])
    group.coordinators.set(
        get_user_model().objects.filter(username__in=["muni.supervisor", "io.coordinator"])
    )
    return group
