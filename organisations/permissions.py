"""The only module of this app that talks to django-guardian.

Object permissions are granted to the Django group of an organisation's role, never to single
users and never globally: a user holds them while an active membership puts them in that group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, get_objects_for_user

from organisations.models import Organisation, Role, RoleGroup

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from config.types import Actor

MANAGE_ORGANISATION = "organisations.manage_organisation"

# What each role of an organisation may do on that organisation itself.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CASEWORKER: (),
    Role.SUPERVISOR: (),
    Role.ADMIN: (MANAGE_ORGANISATION,),
}


def role_groups_ensure(*, organisation: Organisation) -> dict[str, Group]:
    """Create the organisation's role groups if missing and grant each its permissions."""
    groups = {rg.role: rg.group for rg in organisation.role_groups.select_related("group")}
    for role in Role:
        if role in groups:
            continue
        group, _ = Group.objects.get_or_create(name=f"organisation-{organisation.pk}-{role.value}")
        RoleGroup.objects.create(organisation=organisation, role=role, group=group)
        for perm in ROLE_PERMISSIONS[role]:
            assign_perm(perm, group, organisation)
        groups[role] = group
    return groups


def can_manage_organisation(user: Actor, organisation: Organisation) -> bool:
    """Organisation admins (and platform admins) edit the profile, services and members."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm(MANAGE_ORGANISATION, organisation)


def organisations_managed_by(user: Actor) -> QuerySet[Organisation]:
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return get_objects_for_user(
        user, MANAGE_ORGANISATION, klass=Organisation, accept_global_perms=False
    )
