"""Coordination groups: setting one up, its members and coordinators (and their grants)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from coordination import permissions
from coordination.exceptions import (
    NotAllowed,
    ValidationFailed,
)
from coordination.models import (
    CoordinationGroup,
)
from organisations.models import Organisation, Role
from organisations.selectors import memberships_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from coordination.services.common import coordinated_group, full_clean, require


def _clean_members(convening: Organisation, members: Iterable[Organisation]) -> list[Organisation]:
    chosen = {organisation.pk: organisation for organisation in members}
    chosen.setdefault(convening.pk, convening)
    require(
        all(organisation.is_active for organisation in chosen.values()),
        _("Choose active organisations."),
        field="members",
    )
    return list(chosen.values())


@transaction.atomic
def group_create(
    *,
    actor: User | None,
    name: str,
    convening_organisation: Organisation,
    members: Iterable[Organisation] = (),
    description: str = "",
    time_zone: str = "",
    coordinators: Iterable[User] | None = None,
) -> CoordinationGroup:
    """A platform admin, or a supervisor or admin of the convening organisation, sets up a group.

    The convening organisation is always a member; the person who sets it up coordinates it
    unless a platform admin names the coordinators.
    """
    if actor is not None:
        is_platform_admin = actor.is_active and actor.is_superuser
        convenes = (
            memberships_of(actor)
            .filter(organisation=convening_organisation, role__in=[Role.SUPERVISOR, Role.ADMIN])
            .exists()
        )
        if not (is_platform_admin or convenes):
            raise NotAllowed(
                _("Only a supervisor or admin of the convening organisation sets up its group.")
            )
        if coordinators is None and not is_platform_admin:
            coordinators = [actor]
    name = (name or "").strip()
    require(bool(name), _("Give the group a name."), field="name")
    require(
        not CoordinationGroup.objects.filter(name__iexact=name).exists(),
        _("A group with this name exists already."),
        field="name",
    )
    require(
        convening_organisation.is_active,
        _("Choose an active organisation."),
        field="convening_organisation",
    )
    group = CoordinationGroup(
        name=name,
        description=description,
        convening_organisation=convening_organisation,
    )
    if time_zone:
        group.time_zone = time_zone
    full_clean(group)
    group.save()
    group.members.set(_clean_members(convening_organisation, members))
    people = list(coordinators or [])
    require(
        all(person.is_active for person in people), _("Choose active users."), field="coordinators"
    )
    group.coordinators.set(people)
    permissions.group_sync(group)
    return group


@transaction.atomic
def group_update(*, group_id: int, actor: User | None, **fields: Any) -> CoordinationGroup:
    """Coordinators keep the group's description, time zone and member organisations."""
    allowed = {"name", "description", "time_zone", "members"}
    unknown = set(fields) - allowed
    require(
        not unknown, _("These fields cannot be changed here."), field=min(unknown, default=None)
    )
    if actor is None:
        group = CoordinationGroup.objects.select_for_update().get(pk=group_id)
    else:
        group = coordinated_group(actor, group_id, lock=True)
    members = fields.pop("members", None)
    for name, value in fields.items():
        setattr(group, name, value)
    full_clean(group)
    if CoordinationGroup.objects.filter(name__iexact=group.name).exclude(pk=group.pk).exists():
        raise ValidationFailed(_("A group with this name exists already."), field="name")
    group.save()
    if members is not None:
        group.members.set(_clean_members(group.convening_organisation, members))
    permissions.group_sync(group)
    permissions.forget(group)
    return group


@transaction.atomic
def group_set_coordinators(
    *, group: CoordinationGroup, coordinators: Iterable[User], actor: User | None = None
) -> CoordinationGroup:
    """Platform admins name the coordinators (the admin site, the demo)."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise NotAllowed()
    group.coordinators.set(list(coordinators))
    permissions.group_sync(group)
    permissions.forget(group)
    return group


def group_sync_permissions(*, group: CoordinationGroup) -> None:
    """After the admin site edited the member organisations or coordinators directly."""
    permissions.group_sync(group)
    permissions.forget(group)
