"""Contingency plans: a scenario and each member organisation's role."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import permissions
from coordination.exceptions import (
    NotAllowed,
    NotVisible,
)
from coordination.models import (
    ContingencyPlan,
    CoordinationGroup,
    PlanRole,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from coordination.services.common import coordinated_group, full_clean, require

PLAN_FIELDS = ("title", "scenario", "contacts", "last_reviewed_on")


def _save_roles(plan: ContingencyPlan, roles: dict[int, tuple[str, str]]) -> None:
    """``roles``: organisation id -> (role, contact); an empty role removes the organisation."""
    member_ids = set(plan.group.members.values_list("pk", flat=True))
    require(set(roles) <= member_ids, _("Choose member organisations of the group."), field="roles")
    existing = {role.organisation_id: role for role in plan.roles.all()}
    for organisation_id, (given_role, given_contact) in roles.items():
        text, contact = (given_role or "").strip(), (given_contact or "").strip()
        row = existing.get(organisation_id)
        if not text:
            if row is not None:
                row.delete()
            continue
        if row is None:
            PlanRole.objects.create(
                plan=plan, organisation_id=organisation_id, role=text, contact=contact[:300]
            )
        elif (row.role, row.contact) != (text, contact):
            row.role, row.contact = text, contact[:300]
            row.save(update_fields=["role", "contact"])


@transaction.atomic
def plan_create(
    *,
    actor: User,
    group: CoordinationGroup,
    title: str,
    scenario: str,
    contacts: str = "",
    last_reviewed_on: datetime.date | None = None,
    roles: dict[int, tuple[str, str]] | None = None,
) -> ContingencyPlan:
    """A coordinator writes a contingency plan: a scenario and who does what."""
    group = coordinated_group(actor, group.pk)
    plan = ContingencyPlan(
        group=group,
        title=(title or "").strip(),
        scenario=(scenario or "").strip(),
        contacts=(contacts or "").strip(),
        last_reviewed_on=last_reviewed_on or timezone.localdate(),
        created_by=actor,
    )
    full_clean(plan, exclude=["group", "created_by"])
    plan.save()
    _save_roles(plan, roles or {})
    return plan


@transaction.atomic
def plan_update(
    *, plan_id: int, actor: User, roles: dict[int, tuple[str, str]] | None = None, **fields: Any
) -> ContingencyPlan:
    """A coordinator changes the plan, and (when given) each member organisation's role."""
    plan = (
        ContingencyPlan.objects.select_for_update(of=("self",))
        .select_related("group")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or not permissions.can_view(actor, plan.group):
        raise NotVisible()
    if not permissions.can_coordinate(actor, plan.group):
        raise NotAllowed()
    unknown = set(fields) - set(PLAN_FIELDS)
    require(
        not unknown, _("These fields cannot be changed here."), field=min(unknown, default=None)
    )
    for name, value in fields.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    full_clean(plan, exclude=["group", "created_by"])
    plan.save()
    if roles is not None:
        _save_roles(plan, roles)
    return plan


@transaction.atomic
def plan_mark_reviewed(*, plan_id: int, actor: User) -> ContingencyPlan:
    """The coordinators went through the plan again today."""
    return plan_update(plan_id=plan_id, actor=actor, last_reviewed_on=timezone.localdate())
