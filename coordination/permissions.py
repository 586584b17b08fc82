"""The only module of the coordination app that talks to django-guardian.

Three object permissions on a ``CoordinationGroup``, kept in guardian's direct foreign-key tables
(``CoordinationGroupUserObjectPermission`` and ``CoordinationGroupGroupObjectPermission``):

- ``take_part_in_group``: granted to **every role group** (caseworker, supervisor, admin) of each
  member organisation. Staff see the group's meetings, agenda, minutes, alerts and plans, propose
  agenda items and update their own organisation's action items. Access follows the membership:
  deactivating a membership takes the user out of the role group, so out of the group's work.
- ``broadcast_alert``: granted to the **supervisor** role group of each member organisation.
- ``coordinate_group``: granted to **each coordinator user**. Coordinators are people named on the
  group (``CoordinationGroup.coordinators``), not an organisation's role, so there is no role
  group to grant it to; a user grant is the honest model and keeps the check in the same tables.

The ``members`` and ``coordinators`` relations are the source of truth; ``group_sync`` derives
the grants from them and every write path calls it (services, admin, demo). Checks always look
at ``user.is_active`` too, and ignore guardian's superuser shortcut: platform admins use the
admin site, and in the product they see what their memberships show them, like everyone else.
Everything else is invisible (404).
"""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django.contrib.auth.models import Permission
from guardian.shortcuts import get_objects_for_user

from coordination.models import (
    CoordinationGroup,
    CoordinationGroupGroupObjectPermission,
    CoordinationGroupUserObjectPermission,
)
from organisations import permissions as organisation_permissions
from organisations.models import Membership, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet
    from typing_extensions import TypeIs

    from config.types import Actor

COORDINATE = "coordinate_group"
TAKE_PART = "take_part_in_group"
BROADCAST = "broadcast_alert"
APP = "coordination"

# What each role of a member organisation holds on the group.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CASEWORKER: (TAKE_PART,),
    Role.SUPERVISOR: (TAKE_PART, BROADCAST),
    Role.ADMIN: (TAKE_PART,),
}


def _is_active(user: Actor) -> TypeIs[User]:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _may_coordinate(user: Actor) -> bool:
    """Coordinator rights (user grants) last while the account and one membership are active:
    someone who left every organisation no longer runs groups. Asked once per user object."""
    if not _is_active(user):
        return False
    cached = getattr(user, "_relais_has_membership", None)
    if cached is None:
        cached = Membership.objects.active().filter(user=user).exists()
        setattr(user, "_relais_has_membership", cached)  # noqa: B010 - a per-request cache
    return cached


def _permissions() -> dict[str, Permission]:
    # By natural key, not a cached id: ids differ between databases (and test flushes).
    return {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label=APP,
            content_type__model="coordinationgroup",
            codename__in=[COORDINATE, TAKE_PART, BROADCAST],
        )
    }


def group_sync(group: CoordinationGroup) -> None:
    """Make the grants on ``group`` match its member organisations and coordinators."""
    perms = _permissions()
    wanted_groups: set[tuple[int, str]] = set()
    for organisation in group.members.all():
        role_groups = organisation_permissions.role_groups_ensure(organisation=organisation)
        for role, codenames in ROLE_PERMISSIONS.items():
            wanted_groups.update((role_groups[role].pk, codename) for codename in codenames)
    existing = CoordinationGroupGroupObjectPermission.objects.filter(content_object=group)
    have_groups = {
        (row.group_id, row.permission.codename): row.pk
        for row in existing.select_related("permission")
    }
    CoordinationGroupGroupObjectPermission.objects.filter(
        pk__in=[pk for key, pk in have_groups.items() if key not in wanted_groups]
    ).delete()
    CoordinationGroupGroupObjectPermission.objects.bulk_create(
        CoordinationGroupGroupObjectPermission(
            content_object=group, group_id=group_id, permission=perms[codename]
        )
        for group_id, codename in sorted(wanted_groups - set(have_groups))
    )

    wanted_users = set(group.coordinators.values_list("pk", flat=True))
    have_users = dict(
        CoordinationGroupUserObjectPermission.objects.filter(
            content_object=group, permission=perms[COORDINATE]
        ).values_list("user_id", "pk")
    )
    CoordinationGroupUserObjectPermission.objects.filter(
        pk__in=[pk for user_id, pk in have_users.items() if user_id not in wanted_users]
    ).delete()
    CoordinationGroupUserObjectPermission.objects.bulk_create(
        CoordinationGroupUserObjectPermission(
            content_object=group, user_id=user_id, permission=perms[COORDINATE]
        )
        for user_id in sorted(wanted_users - set(have_users))
    )


# Reads ------------------------------------------------------------------------------------------


def groups_visible(user: Actor) -> QuerySet[CoordinationGroup]:
    """Groups whose work the user sees: coordinated by them, or their organisation is a member."""
    if not _is_active(user):
        return CoordinationGroup.objects.none()
    if not _may_coordinate(user):
        # Only what the user's organisations take part in (no active membership: nothing).
        return CoordinationGroup.objects.none()
    return get_objects_for_user(
        user,
        [f"{APP}.{COORDINATE}", f"{APP}.{TAKE_PART}"],
        klass=CoordinationGroup,
        any_perm=True,
        accept_global_perms=False,
        with_superuser=False,
    )


def groups_coordinated(user: Actor) -> QuerySet[CoordinationGroup]:
    if not _may_coordinate(user):
        return CoordinationGroup.objects.none()
    return get_objects_for_user(
        user,
        f"{APP}.{COORDINATE}",
        klass=CoordinationGroup,
        accept_global_perms=False,
        with_superuser=False,
    )


def coordinated_group_ids(user: Actor) -> set[int]:
    """For lists: the ids of every group the user coordinates, in one query."""
    if not _is_active(user) or not _may_coordinate(user):
        return set()
    return set(
        CoordinationGroupUserObjectPermission.objects.filter(
            user=user,
            permission__codename=COORDINATE,
            permission__content_type__app_label=APP,
        ).values_list("content_object_id", flat=True)
    )


def codenames(user: Actor, group: CoordinationGroup) -> frozenset[str]:
    """Every permission the user holds on the group, in one query (cached on the object)."""
    if not _is_active(user) or group.pk is None:
        return frozenset()
    cached = getattr(group, "_relais_permissions", None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    direct = CoordinationGroupUserObjectPermission.objects.filter(
        content_object_id=group.pk, user=user
    ).values_list("permission__codename", flat=True)
    if not _may_coordinate(user):
        direct = direct.none()
    through_roles = CoordinationGroupGroupObjectPermission.objects.filter(
        content_object_id=group.pk, group__user=user
    ).values_list("permission__codename", flat=True)
    found = frozenset(direct.union(through_roles))
    setattr(group, "_relais_permissions", (user.pk, found))  # noqa: B010 - per-object cache
    return found


def forget(group: CoordinationGroup) -> None:
    group.__dict__.pop("_relais_permissions", None)


def can_view(user: Actor, group: CoordinationGroup) -> bool:
    return bool(codenames(user, group) & {COORDINATE, TAKE_PART})


def can_coordinate(user: Actor, group: CoordinationGroup) -> bool:
    return COORDINATE in codenames(user, group)


def can_broadcast(user: Actor, group: CoordinationGroup) -> bool:
    return bool(codenames(user, group) & {COORDINATE, BROADCAST})


def takes_part(user: Actor, group: CoordinationGroup) -> bool:
    """Staff of a member organisation (as opposed to a coordinator from elsewhere)."""
    return TAKE_PART in codenames(user, group)


# The mechanism: terms, pathways, joint action plans ----------------------------------------------

# Who speaks for an organisation in the group: reports its indicators, endorses the terms.
SPEAKING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def speaking_organisation_ids(user: Actor) -> set[int]:
    """Organisations the user is a supervisor or admin of (active memberships), cached."""
    if not _is_active(user):
        return set()
    cached = getattr(user, "_relais_speaking_for", None)
    if cached is None:
        cached = set(
            Membership.objects.active()
            .filter(user=user, role__in=SPEAKING_ROLES)
            .values_list("organisation_id", flat=True)
        )
        setattr(user, "_relais_speaking_for", cached)  # noqa: B010 - a per-request cache
    return cached


def may_report_for(user: Actor, organisation_id: int) -> bool:
    """A supervisor or admin of the organisation reports its activities' indicators."""
    return organisation_id in speaking_organisation_ids(user)


def group_zone(group: CoordinationGroup) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(group.time_zone)
