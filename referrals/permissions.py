"""The only module of the referrals app that talks to django-guardian.

Object permissions on cases and referrals are granted to the role groups of the organisations
party to them, never to single users and never globally. Checks read guardian's direct
foreign-key tables and ignore the superuser shortcut on purpose: platform admins see aggregates,
not personal data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Exists, F, OuterRef, Subquery
from guardian.shortcuts import assign_perm, remove_perm

from coordination import selectors as coordination_selectors
from organisations import permissions as organisation_permissions
from organisations.models import CASE_ROLES, Organisation, Role
from referrals.models import (
    Case,
    CaseGroupObjectPermission,
    Referral,
    ReferralGroupObjectPermission,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import Group, User
    from django.db.models import Model, QuerySet
    from typing_extensions import TypeIs

    from config.types import Actor

MANAGE_CASE = "manage_case"
VIEW_REFERRAL = "view_referral"
VIEW_SHARED_DATA = "view_shared_data"
ACT_AS_SENDER = "act_as_sender"
ACT_AS_RECEIVER = "act_as_receiver"
SUPERVISE_RECEIVING = "supervise_receiving"

# Organisation admins manage the profile and members; they do not read cases for that
# (organisations.models.CASE_ROLES).


def _groups(organisation: Organisation, roles: Iterable[str]) -> list[Group]:
    groups = organisation_permissions.role_groups_ensure(organisation=organisation)
    return [groups[role] for role in roles]


def _is_active(user: Actor) -> TypeIs[User]:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _permission_filter(model: type[Model], codename: str) -> dict[str, str | None]:
    # By natural key, not a cached id: ids differ between databases (and test flushes).
    return {
        "permission__codename": codename,
        "permission__content_type__app_label": model._meta.app_label,
        "permission__content_type__model": model._meta.model_name,
    }


def _permissions(model: type[Model], codenames: Iterable[str]) -> QuerySet[Permission]:
    return Permission.objects.filter(
        codename__in=list(codenames),
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
    )


def _granted(user: User, grants: type[Model], model: type[Model], codename: str) -> Exists:
    """A condition on ``model``'s rows: one of the user's groups holds ``codename`` on the row.

    What guardian's ``get_objects_for_user`` answers (grants here go to groups only), written as
    a probe of the unique (group, permission, object) index for each row the page reads, where
    guardian's ``pk IN (...)`` gathers every grant of the user's groups on each request: 231,000
    rows and 100 ms for a municipal caseworker at a million referrals (issue 13)."""
    permission = _permissions(model, [codename]).order_by().values("pk")[:1]
    # The user's groups as values, not a subquery: the planner then knows how many grants they
    # hold (a subquery it guesses at made it join all 200,000 of a municipality's rows and sort
    # them, 3 s, instead of walking the newest ones, 6 ms).
    groups = list(
        get_user_model()
        .groups.through.objects.filter(user_id=user.pk)
        .values_list("group_id", flat=True)
    )
    return Exists(
        grants.objects.filter(  # type: ignore[attr-defined]
            content_object=OuterRef("pk"),
            permission_id=Subquery(permission),
            group_id__in=groups,
        )
    )


# Cases ------------------------------------------------------------------------------------------


def case_grant_owner(case: Case) -> None:
    for group in _groups(case.owner, CASE_ROLES):
        assign_perm(f"referrals.{MANAGE_CASE}", group, case)


def case_list_visible(user: Actor) -> QuerySet[Case]:
    """Cases the user's organisations own (only their caseworkers and supervisors)."""
    if not _is_active(user):
        return Case.objects.none()
    return Case.objects.filter(_granted(user, CaseGroupObjectPermission, Case, MANAGE_CASE))


def case_grant_owner_bulk(organisation: Organisation, cases: list[Case]) -> None:
    """``case_grant_owner`` for many cases of one organisation (bulk inserts, for loaders)."""
    cases_grant_owners_bulk(cases, [organisation])


def cases_grant_owners_bulk(cases: list[Case], owners: Iterable[Organisation]) -> None:
    """``case_grant_owner`` for many cases of these organisations, in one insert."""
    rows = _GrantRows(CaseGroupObjectPermission, Case, [MANAGE_CASE], owners)
    for case in cases:
        rows.grant(case.owner_id, CASE_ROLES, MANAGE_CASE, [case])
    rows.write()


class _GrantRows:
    """Permission rows for many objects, written in one bulk insert (no per-object look-ups):
    what ``assign_perm`` writes, for loaders of past activity and for load tests."""

    def __init__(
        self,
        table: type[Model],
        model: type[Model],
        codenames: Iterable[str],
        organisations: Iterable[Organisation],
    ) -> None:
        self.table = table
        self.permissions = dict(_permissions(model, codenames).values_list("codename", "pk"))
        self.groups = {
            (organisation.pk, role): group.pk
            for organisation in organisations
            for role, group in organisation_permissions.role_groups_ensure(
                organisation=organisation
            ).items()
        }
        self.rows: list = []

    def grant(
        self, organisation_id: int, roles: Iterable[str], codename: str, objects: list
    ) -> None:
        permission = self.permissions[codename]
        for role in roles:
            group = self.groups[(organisation_id, role)]
            self.rows.extend((group, permission, obj.pk) for obj in objects)

    def write(self) -> None:
        """(group, permission, object) rows: COPY on PostgreSQL (a load of millions of rows),
        a bulk insert elsewhere; a row already granted stays as it was."""
        if connection.vendor == "postgresql" and not _granted_before(self.table, self.rows):
            table = self.table._meta.db_table
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(
                    f"COPY {table} (group_id, permission_id, content_object_id) FROM STDIN"
                ) as copy,
            ):
                for row in self.rows:
                    copy.write_row(row)
            return
        self.table.objects.bulk_create(  # type: ignore[attr-defined]
            (
                self.table(group_id=group, permission_id=permission, content_object_id=pk)
                for group, permission, pk in self.rows
            ),
            batch_size=10_000,
            ignore_conflicts=True,
        )


def _granted_before(table: type[Model], rows: list[tuple[int, int, int]]) -> bool:
    """Whether any of these objects holds a grant already (COPY cannot skip duplicates)."""
    objects = list({pk for _, _, pk in rows})
    return table.objects.filter(content_object_id__in=objects).exists()  # type: ignore[attr-defined]


def can_manage_case(user: Actor, case: Case) -> bool:
    if not _is_active(user) or case.anonymised_at is not None:
        return False
    return CaseGroupObjectPermission.objects.filter(
        content_object=case,
        **_permission_filter(Case, MANAGE_CASE),
        group__user=user,
    ).exists()


# Referrals --------------------------------------------------------------------------------------


def referral_grant_sender(referral: Referral) -> None:
    for group in _groups(referral.from_organisation, CASE_ROLES):
        for codename in (VIEW_REFERRAL, VIEW_SHARED_DATA, ACT_AS_SENDER):
            assign_perm(f"referrals.{codename}", group, referral)


def referral_grant_receiver(referral: Referral) -> None:
    """Submission (or approval): the receiving organisation's staff see and answer it."""
    for group in _groups(referral.to_organisation, CASE_ROLES):
        for codename in (VIEW_REFERRAL, VIEW_SHARED_DATA, ACT_AS_RECEIVER):
            assign_perm(f"referrals.{codename}", group, referral)
    for group in _groups(referral.to_organisation, [Role.SUPERVISOR]):
        assign_perm(f"referrals.{SUPERVISE_RECEIVING}", group, referral)


def referral_grant_bulk(referrals: list[Referral]) -> None:
    """What submission, answers and closing leave granted, for referrals loaded in bulk (past
    activity): the sender's rights; the receiver's view, its personal data until revoked, and
    its actions while the referral is open. One insert, organised by organisation."""
    from referrals.models import OPEN_STATES  # noqa: PLC0415 - keep the model import list short

    sent: dict[int, list[Referral]] = {}
    received: dict[int, list[Referral]] = {}
    for referral in referrals:
        sent.setdefault(referral.from_organisation_id, []).append(referral)
        received.setdefault(referral.to_organisation_id, []).append(referral)
    rows = _GrantRows(
        ReferralGroupObjectPermission,
        Referral,
        [VIEW_REFERRAL, VIEW_SHARED_DATA, ACT_AS_SENDER, ACT_AS_RECEIVER, SUPERVISE_RECEIVING],
        Organisation.objects.filter(pk__in=[*sent, *received]),
    )
    for organisation_id, objects in sent.items():
        for codename in (VIEW_REFERRAL, VIEW_SHARED_DATA, ACT_AS_SENDER):
            rows.grant(organisation_id, CASE_ROLES, codename, objects)
    for organisation_id, objects in received.items():
        rows.grant(organisation_id, CASE_ROLES, VIEW_REFERRAL, objects)
        rows.grant(
            organisation_id,
            CASE_ROLES,
            VIEW_SHARED_DATA,
            [r for r in objects if r.shared_data_revoked_at is None],
        )
        open_rows = [r for r in objects if r.state in OPEN_STATES]
        rows.grant(organisation_id, CASE_ROLES, ACT_AS_RECEIVER, open_rows)
        rows.grant(organisation_id, [Role.SUPERVISOR], SUPERVISE_RECEIVING, open_rows)
    rows.write()


def referral_revoke_receiver_shared_data(referral: Referral) -> None:
    """The receiving side keeps the referral and its outcome, not the personal data."""
    for group in _groups(referral.to_organisation, CASE_ROLES):
        remove_perm(f"referrals.{VIEW_SHARED_DATA}", group, referral)


def referrals_revoke_receiver_shared_data(referrals: QuerySet[Referral]) -> int:
    """``referral_revoke_receiver_shared_data`` for many referrals in one statement (each
    referral's own receiver: the group's organisation is the referral's ``to_organisation``)."""
    deleted, _ = ReferralGroupObjectPermission.objects.filter(
        content_object__in=referrals,
        group__role_group__organisation=F("content_object__to_organisation"),
        **_permission_filter(Referral, VIEW_SHARED_DATA),
    ).delete()
    return deleted


def referral_revoke_receiver_actions(referral: Referral) -> None:
    for group in _groups(referral.to_organisation, CASE_ROLES):
        remove_perm(f"referrals.{ACT_AS_RECEIVER}", group, referral)
        remove_perm(f"referrals.{SUPERVISE_RECEIVING}", group, referral)


def referral_list_visible(user: Actor) -> QuerySet[Referral]:
    if not _is_active(user):
        return Referral.objects.none()
    return Referral.objects.filter(
        _granted(user, ReferralGroupObjectPermission, Referral, VIEW_REFERRAL)
    )


def referral_codenames(user: Actor, referral: Referral) -> frozenset[str]:
    """Every permission the user holds on this referral, in one query (cached on the object)."""
    if not _is_active(user) or referral.pk is None:
        return frozenset()
    cache_attribute = "_relais_permissions"
    cached = getattr(referral, cache_attribute, None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    codenames = frozenset(
        ReferralGroupObjectPermission.objects.filter(
            content_object_id=referral.pk, group__user=user
        ).values_list("permission__codename", flat=True)
    )
    setattr(referral, cache_attribute, (user.pk, codenames))
    return codenames


def forget_cached_permissions(referral: Referral) -> None:
    referral.__dict__.pop("_relais_permissions", None)


def referral_ids_with_shared_data(user: Actor, referral_ids: Iterable[int]) -> set[int]:
    """For lists: which of these referrals may the user read the personal data of (one query)."""
    if not _is_active(user):
        return set()
    return set(
        ReferralGroupObjectPermission.objects.filter(
            content_object_id__in=list(referral_ids),
            **_permission_filter(Referral, VIEW_SHARED_DATA),
            group__user=user,
        ).values_list("content_object_id", flat=True)
    )


def can_view_referral(user: Actor, referral: Referral) -> bool:
    return VIEW_REFERRAL in referral_codenames(user, referral)


def can_view_shared_data(user: Actor, referral: Referral) -> bool:
    return VIEW_SHARED_DATA in referral_codenames(user, referral)


def can_read_free_text(user: Actor, referral: Referral) -> bool:
    """Free text (the reason, notes, justifications, comments) can name and locate a person: it
    follows the personal data. The parties read it while their organisation holds the shared
    data; the receiver loses it with that (consent withdrawn, referral withdrawn, retention
    ended); a moderator, who is not a party, never reads it."""
    return can_view_shared_data(user, referral)


def can_comment(user: Actor, referral: Referral) -> bool:
    """Writing in the timeline is for those who still read it."""
    return _is_active(user) and can_read_free_text(user, referral)


def is_sender(user: Actor, referral: Referral) -> bool:
    return ACT_AS_SENDER in referral_codenames(user, referral)


def is_receiver(user: Actor, referral: Referral) -> bool:
    return ACT_AS_RECEIVER in referral_codenames(user, referral)


def is_receiving_supervisor(user: Actor, referral: Referral) -> bool:
    return SUPERVISE_RECEIVING in referral_codenames(user, referral)


def is_moderator(user: Actor, referral: Referral) -> bool:
    return _is_active(user) and coordination_selectors.is_moderator_for(
        user=user, sender=referral.from_organisation, receiver=referral.to_organisation
    )


def can_see_id(user: Actor, referral_id: int) -> bool:
    """``can_see`` for a referral known by its id: one query for a party (the view grant alone),
    the referral read only to ask whether a coordinator moderates it."""
    if not _is_active(user):
        return False
    granted = ReferralGroupObjectPermission.objects.filter(
        content_object_id=referral_id,
        group__user=user,
        **_permission_filter(Referral, VIEW_REFERRAL),
    )
    if granted.exists():
        return True
    referral = Referral.objects.filter(pk=referral_id).first()
    return referral is not None and can_see(user, referral)


def can_see(user: Actor, referral: Referral) -> bool:
    """Parties see their referrals; coordinators also see one awaiting their moderation."""
    from referrals.models import State  # noqa: PLC0415 - keep the model import list short

    return can_view_referral(user, referral) or (
        referral.state == State.PENDING_MODERATION and is_moderator(user, referral)
    )


def can_fire(user: Actor, referral: Referral, action: str) -> bool:
    """Who may fire each transition (DESIGN.md, the referral state machine)."""
    if not _is_active(user):
        return False
    if action in ("submit", "withdraw"):
        return is_sender(user, referral)
    if action in ("accept", "decline", "acknowledge"):
        return is_receiver(user, referral)
    if action in ("start", "hold", "resume", "complete"):
        return is_receiving_supervisor(user, referral) or (
            is_receiver(user, referral) and referral.assignee_id == user.pk
        )
    if action == "moderate":
        return is_moderator(user, referral)
    return False
