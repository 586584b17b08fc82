"""The agreed pathway beside the referral form: for the kind of help asked, the steps the
person's groups adopted, the step the person has reached (the first whose services the case was
not referred to yet) and a service to suggest for it (one that is not full)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coordination import selectors as coordination_selectors
from organisations.models import CapacityStatus

if TYPE_CHECKING:
    from coordination.models import Pathway, PathwayStep
    from organisations.models import Service
    from referrals.models import Case


@dataclass
class Guidance:
    pathway: Pathway
    next_step: PathwayStep | None
    suggested: Service | None
    done_step_ids: set[int]


def pathway_choices(user: object) -> list[Pathway]:
    """The pathways the user may follow (their groups'), adopted first."""
    return list(coordination_selectors.pathways_visible(user))


def guidance(
    *, case: Case, pathways: list[Pathway], pathway_id: int | None, category: str
) -> Guidance | None:
    chosen = next((p for p in pathways if p.pk == pathway_id), None)
    if chosen is None and category:
        chosen = next((p for p in pathways if p.category == category), None)
    if chosen is None:
        return None
    referred = set(
        case.referrals.exclude(service__isnull=True).values_list("service_id", flat=True)
    )
    done = {
        step.pk
        for step in chosen.steps.all()
        if any(service.pk in referred for service in step.services.all())
    }
    next_step = next((s for s in chosen.steps.all() if s.pk not in done), None)
    suggested = None
    if next_step is not None:
        open_services = [
            s
            for s in next_step.services.all()
            if s.is_active and s.capacity_status != CapacityStatus.FULL
        ]
        suggested = open_services[0] if open_services else None
    return Guidance(chosen, next_step, suggested, done)
