"""Every change to the registry: organisations, memberships (and their groups), services, trust.

Membership changes keep the organisation's role groups in sync in the same transaction, so that
access follows the membership at once: adding a member grants, a role change moves, and
deactivating a membership or a user takes access away.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations import permissions
from organisations.exceptions import LastAdmin, NotAllowed, NotAMunicipality, ValidationFailed
from organisations.models import (
    CASE_ROLES,
    CapacityStatus,
    Membership,
    Organisation,
    OrganisationKind,
    Partnership,
    Role,
    Service,
    UnlistedOrganisation,
)
from organisations.signals import account_invited

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ORGANISATION_PROFILE_FIELDS = (
    "name",
    "kind",
    "city",
    "description",
    "address",
    "postal_code",
    "region",
    "phone",
    "email",
    "website",
)
SERVICE_FIELDS = (
    "name",
    "category",
    "description",
    "eligibility",
    "languages",
    "city",
    "area_served",
    "opening_hours",
    "what_to_bring",
    "capacity_status",
    "is_public",
    "location_confidential",
)


def _require_manager(actor: User | None, organisation: Organisation) -> None:
    if actor is not None and not permissions.can_manage_organisation(actor, organisation):
        raise NotAllowed()


def _require_platform_admin(actor: User | None) -> None:
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise NotAllowed()


# Organisations ----------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, actor: User | None = None, **fields: Any) -> Organisation:
    """A platform admin registers an organisation; its role groups are created with it."""
    _require_platform_admin(actor)
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    permissions.role_groups_ensure(organisation=organisation)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, actor: User | None, **fields: Any
) -> Organisation:
    """An organisation admin edits the public profile (not verification or the active flag)."""
    _require_manager(actor, organisation)
    unknown = set(fields) - set(ORGANISATION_PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed here."), field=sorted(unknown)[0])
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def organisation_set_verified(
    *, organisation: Organisation, actor: User | None, verified: bool
) -> Organisation:
    """Only platform admins verify organisations."""
    _require_platform_admin(actor)
    organisation.is_verified = verified
    organisation.verified_at = timezone.now() if verified else None
    organisation.save(update_fields=["is_verified", "verified_at", "updated_at"])
    return organisation


@transaction.atomic
def organisation_deactivate(*, organisation: Organisation, actor: User | None) -> Organisation:
    """A platform admin closes an organisation: every member loses its groups at once."""
    _require_platform_admin(actor)
    organisation.is_active = False
    organisation.save(update_fields=["is_active", "updated_at"])
    for group in Group.objects.filter(role_group__organisation=organisation):
        group.user_set.clear()
    return organisation


# Memberships ------------------------------------------------------------------------------------


def _sync_groups(membership: Membership) -> None:
    """Put the member in exactly the group of their role, or in none if they lose access."""
    groups = permissions.role_groups_ensure(organisation=membership.organisation)
    user = membership.user
    user.groups.remove(*groups.values())
    if membership.is_active and user.is_active and membership.organisation.is_active:
        user.groups.add(groups[membership.role])


def _lock_organisation(organisation: Organisation) -> Organisation:
    # Serialises membership changes of one organisation, so that two admins demoting each other
    # at once cannot leave it without an administrator.
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _check_keeps_an_admin(membership: Membership, *, role: str, is_active: bool) -> None:
    if membership.role != Role.ADMIN or (role == Role.ADMIN and is_active):
        return
    others = (
        Membership.objects.active()
        .filter(organisation=membership.organisation, role=Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if membership.pk and membership.is_active and not others.exists():
        raise LastAdmin()


@transaction.atomic
def membership_add(
    *, organisation: Organisation, user: User, role: str, actor: User | None = None
) -> Membership:
    """An organisation admin adds a member (or re-activates one) with a role."""
    _require_manager(actor, organisation)
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), field="role")
    _lock_organisation(organisation)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if not created:
        _check_keeps_an_admin(membership, role=role, is_active=True)
        membership.role = role
        membership.is_active = True
        membership.save(update_fields=["role", "is_active", "updated_at"])
    _sync_groups(membership)
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: User | None) -> Membership:
    _require_manager(actor, membership.organisation)
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), field="role")
    _lock_organisation(membership.organisation)
    membership.refresh_from_db()
    _check_keeps_an_admin(membership, role=role, is_active=membership.is_active)
    membership.role = role
    # An admin sees no referral: off the intake team with the role that received them.
    membership.intake = membership.intake and role in CASE_ROLES
    membership.save(update_fields=["role", "intake", "updated_at"])
    _sync_groups(membership)
    return membership


@transaction.atomic
def membership_deactivate(*, membership: Membership, actor: User | None) -> Membership:
    """The member loses the organisation's access at once; the row stays for the history."""
    _require_manager(actor, membership.organisation)
    _lock_organisation(membership.organisation)
    membership.refresh_from_db()
    _check_keeps_an_admin(membership, role=membership.role, is_active=False)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    _sync_groups(membership)
    return membership


@transaction.atomic
def membership_set_intake(
    *, membership: Membership, intake: bool, actor: User | None
) -> Membership:
    """Puts the member on the intake team (told at once of new referrals) or takes them off."""
    _require_manager(actor, membership.organisation)
    membership.refresh_from_db()
    if intake and membership.role not in CASE_ROLES:
        raise ValidationFailed(
            _("Only caseworkers and supervisors see referrals: give this person such a role."),
            field="intake",
        )
    membership.intake = intake
    membership.save(update_fields=["intake", "updated_at"])
    return membership


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    actor: User | None,
    role: str | None = None,
    is_active: bool | None = None,
    intake: bool | None = None,
) -> Membership:
    """A new role, access ended or given back, the intake team, or several at once (all or
    nothing)."""
    if role is not None:
        membership = membership_change_role(membership=membership, role=role, actor=actor)
    if is_active is False:
        membership = membership_deactivate(membership=membership, actor=actor)
    elif is_active is True:
        membership = membership_add(
            organisation=membership.organisation,
            user=membership.user,
            role=membership.role,
            actor=actor,
        )
    if intake is not None:
        membership = membership_set_intake(membership=membership, intake=intake, actor=actor)
    elif role is None and is_active is None:
        _require_manager(actor, membership.organisation)  # an empty change is still theirs
    return membership


@transaction.atomic
def member_invite(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    actor: User | None,
    first_name: str = "",
    last_name: str = "",
) -> Membership:
    """Add a person by e-mail; a new account gets a link to choose its password (through the
    outbox of the notifications, written in this transaction: see ``signals.account_invited``)."""
    _require_manager(actor, organisation)
    email = get_user_model().objects.normalize_email(email).strip()
    users = get_user_model().objects.filter(email__iexact=email)
    if users.count() > 1:
        raise ValidationFailed(_("Several accounts use this e-mail address."), field="email")
    user = users.first()
    if user is None:
        user = get_user_model().objects.create_user(
            username=_unique_username(email),
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        membership = membership_add(organisation=organisation, user=user, role=role, actor=actor)
        account_invited.send(sender=Membership, user=user, organisation=organisation)
        return membership
    return membership_add(organisation=organisation, user=user, role=role, actor=actor)


def _unique_username(email: str) -> str:
    base = email.split("@", 1)[0][:140] or "member"
    candidate, number = base, 1
    while get_user_model().objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None) -> User:
    """A platform admin closes an account: sessions and tokens stop working, groups are left."""
    _require_platform_admin(actor)
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.groups.remove(*Group.objects.filter(role_group__isnull=False))
    return user


# Services ---------------------------------------------------------------------------------------


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


def _clean_service_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be changed here."), field=sorted(unknown)[0])
    if "languages" in fields:
        fields["languages"] = clean_language_codes(fields["languages"])
    return fields


def _check_public(service: Service) -> None:
    if service.is_public and service.location_confidential:
        raise ValidationFailed(
            _("A service whose location is confidential is never public."), field="is_public"
        )


def clean_language_codes(codes: object) -> list[str]:
    """ISO 639 codes ("ar", "fr", "en", "tzm"), lower case, each once, in the given order."""
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        raise ValidationFailed(_("Give a list of language codes."), field="languages")
    cleaned = [code.strip().lower() for code in codes if code.strip()]
    if not all(LANGUAGE_CODE.match(code) for code in cleaned):
        raise ValidationFailed(_("Use language codes such as ar, fr, en."), field="languages")
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def service_create(*, organisation: Organisation, actor: User | None, **fields: Any) -> Service:
    _require_manager(actor, organisation)
    fields = _clean_service_fields(fields)
    fields.setdefault("city", organisation.city)
    service = Service(organisation=organisation, capacity_confirmed_at=timezone.now(), **fields)
    _check_public(service)
    service.full_clean()
    service.save()
    cache.delete("organisations:service-languages")
    return service


@transaction.atomic
def service_update(*, service: Service, actor: User | None, **fields: Any) -> Service:
    _require_manager(actor, service.organisation)
    fields = _clean_service_fields(fields)
    for name, value in fields.items():
        setattr(service, name, value)
    if "capacity_status" in fields:
        service.capacity_confirmed_at = timezone.now()
    _check_public(service)
    # Hours written before they had a syntax stay until someone edits them.
    service.full_clean(exclude=None if "opening_hours" in fields else ["opening_hours"])
    service.save()
    cache.delete("organisations:service-languages")
    return service


@transaction.atomic
def service_set_capacity(*, service: Service, actor: User | None, status: str) -> Service:
    """One click: the capacity as of now (confirming the same status refreshes its date)."""
    _require_manager(actor, service.organisation)
    if status not in CapacityStatus.values:
        raise ValidationFailed(_("Unknown capacity status."), field="capacity_status")
    service.capacity_status = status
    service.capacity_confirmed_at = timezone.now()
    service.save(update_fields=["capacity_status", "capacity_confirmed_at", "updated_at"])
    return service


@transaction.atomic
def service_set_active(*, service: Service, actor: User | None, active: bool) -> Service:
    _require_manager(actor, service.organisation)
    service.is_active = active
    service.save(update_fields=["is_active", "updated_at"])
    return service


# Partnerships -----------------------------------------------------------------------------------


@transaction.atomic
def partnership_record(
    *,
    municipality: Organisation,
    organisation: Organisation,
    starts_on: datetime.date,
    scope: str,
    actor: User | None,
    ends_on: datetime.date | None = None,
) -> Partnership:
    """Platform admins record formal partnerships; one in force makes the organisation trusted."""
    _require_platform_admin(actor)
    if municipality.kind != OrganisationKind.MUNICIPALITY:
        raise NotAMunicipality(field="municipality")
    partnership = Partnership(
        municipality=municipality,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
        scope=scope,
        recorded_by=actor,
    )
    partnership.full_clean()
    partnership.save()
    return partnership


# Organisations off the platform -----------------------------------------------------------------


@transaction.atomic
def unlisted_merge(
    *, entry: UnlistedOrganisation, organisation: Organisation, actor: User | None
) -> UnlistedOrganisation:
    """A platform admin says which member an unlisted organisation became: its slips then give
    the member's address, and caseworkers are offered the member instead."""
    _require_platform_admin(actor)
    entry.merged_into = organisation
    entry.save(update_fields=["merged_into"])
    return entry


@transaction.atomic
def unlisted_promote(*, entry: UnlistedOrganisation, actor: User | None) -> Organisation:
    """Put an unlisted organisation on the platform (unverified, kind *other*, its contact
    details kept; an organisation of the same name is reused) and merge the entry into it. Its
    admins are then invited from its members page."""
    _require_platform_admin(actor)
    organisation = Organisation.objects.filter(name__iexact=entry.name).first()
    if organisation is None:
        organisation = organisation_create(
            actor=actor,
            name=entry.name,
            kind=OrganisationKind.OTHER,
            city=entry.city or entry.recorded_by.city,
            address=entry.address,
            phone=entry.phone,
            email=entry.email,
        )
    unlisted_merge(entry=entry, organisation=organisation, actor=actor)
    return organisation
