"""Memberships keep the organisation's role groups, and so the object permissions, in step."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from organisations import selectors, services
from organisations.exceptions import LastAdmin, NotAllowed, ValidationFailed
from organisations.models import Membership, Role, RoleGroup
from tests.factories import OrganisationFactory, UserFactory, member, membership_of

MANAGE = "organisations.manage_organisation"

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request would load it: no permission cache left over."""
    return get_user_model().objects.get(pk=user.pk)


def role_group(organisation, role):
    return RoleGroup.objects.get(organisation=organisation, role=role).group


def role_groups_of(user):
    return set(Group.objects.filter(user=user, role_group__isnull=False))


@pytest.mark.parametrize(
    ("role", "may_manage"),
    [(Role.CASEWORKER, False), (Role.SUPERVISOR, False), (Role.ADMIN, True)],
)
def test_it_puts_the_member_in_exactly_the_group_of_their_role(cso, role, may_manage):
    user = UserFactory()

    services.membership_add(organisation=cso, user=user, role=role)

    assert role_groups_of(user) == {role_group(cso, role)}
    assert fresh(user).has_perm(MANAGE, cso) is may_manage


def test_the_permission_is_held_by_the_group_not_the_user(cso, anna):
    # Guardian's user-object table stays empty: revoking group membership revokes everything.
    assert not anna.organisationuserobjectpermission_set.exists()
    assert (
        role_group(cso, Role.ADMIN)
        .organisationgroupobjectpermission_set.filter(
            content_object=cso, permission__codename="manage_organisation"
        )
        .exists()
    )


def test_an_admin_of_one_organisation_may_not_manage_another(cso, other_cso, anna):
    assert fresh(anna).has_perm(MANAGE, cso)
    assert not fresh(anna).has_perm(MANAGE, other_cso)


def test_changing_the_role_moves_the_group_in_the_same_call(cso, alice, anna):
    membership = membership_of(alice, cso)

    services.membership_change_role(membership=membership, role=Role.ADMIN, actor=anna)

    assert role_groups_of(alice) == {role_group(cso, Role.ADMIN)}
    assert fresh(alice).has_perm(MANAGE, cso)

    services.membership_change_role(membership=membership, role=Role.SUPERVISOR, actor=anna)

    assert role_groups_of(alice) == {role_group(cso, Role.SUPERVISOR)}
    assert not fresh(alice).has_perm(MANAGE, cso)
    assert membership_of(alice, cso).role == Role.SUPERVISOR


def test_it_refuses_an_unknown_role(cso, alice, anna):
    with pytest.raises(ValidationFailed):
        services.membership_change_role(
            membership=membership_of(alice, cso), role="owner", actor=anna
        )
    assert membership_of(alice, cso).role == Role.CASEWORKER


def test_deactivating_a_membership_removes_group_and_permission_at_once(cso, anna):
    second_admin = member(cso, Role.ADMIN)

    services.membership_deactivate(membership=membership_of(second_admin, cso), actor=anna)

    assert role_groups_of(second_admin) == set()
    assert not fresh(second_admin).has_perm(MANAGE, cso)
    assert membership_of(second_admin, cso).is_active is False
    assert not selectors.memberships_of(fresh(second_admin)).exists()


def test_an_inactive_user_loses_access_even_while_still_in_the_group(cso, anna):
    anna.is_active = False
    anna.save(update_fields=["is_active"])

    assert not fresh(anna).has_perm(MANAGE, cso)
    assert not selectors.memberships_of(fresh(anna)).exists()


def test_user_deactivate_removes_groups_and_access(cso, other_cso, anna, superuser):
    services.membership_add(organisation=other_cso, user=anna, role=Role.CASEWORKER)

    services.user_deactivate(user=anna, actor=superuser)

    anna = fresh(anna)
    assert anna.is_active is False
    assert role_groups_of(anna) == set()
    assert not anna.has_perm(MANAGE, cso)
    assert not selectors.memberships_of(anna).exists()


def test_only_a_platform_admin_deactivates_a_user(cso, alice, anna):
    with pytest.raises(NotAllowed):
        services.user_deactivate(user=alice, actor=anna)
    assert fresh(alice).is_active is True


def test_the_last_active_admin_cannot_be_demoted(cso, anna):
    with pytest.raises(LastAdmin):
        services.membership_change_role(
            membership=membership_of(anna, cso), role=Role.CASEWORKER, actor=anna
        )

    assert membership_of(anna, cso).role == Role.ADMIN
    assert fresh(anna).has_perm(MANAGE, cso)


def test_the_last_active_admin_cannot_be_deactivated(cso, anna):
    with pytest.raises(LastAdmin):
        services.membership_deactivate(membership=membership_of(anna, cso), actor=anna)

    assert membership_of(anna, cso).is_active is True
    assert fresh(anna).has_perm(MANAGE, cso)


def test_an_admin_whose_account_is_closed_does_not_count_as_the_other_admin(cso, anna):
    closed = member(cso, Role.ADMIN)
    closed.is_active = False
    closed.save(update_fields=["is_active"])

    with pytest.raises(LastAdmin):
        services.membership_deactivate(membership=membership_of(anna, cso), actor=anna)


def test_an_admin_may_step_down_when_another_admin_remains(cso, anna):
    successor = member(cso, Role.ADMIN)

    services.membership_change_role(
        membership=membership_of(anna, cso), role=Role.CASEWORKER, actor=anna
    )

    assert not fresh(anna).has_perm(MANAGE, cso)
    assert fresh(successor).has_perm(MANAGE, cso)


def test_re_adding_reactivates_the_same_membership(cso, anna):
    user = member(cso, Role.CASEWORKER)
    services.membership_deactivate(membership=membership_of(user, cso), actor=anna)

    services.membership_add(organisation=cso, user=user, role=Role.SUPERVISOR, actor=anna)

    assert Membership.objects.filter(user=user, organisation=cso).count() == 1
    membership = membership_of(user, cso)
    assert membership.is_active is True
    assert membership.role == Role.SUPERVISOR
    assert role_groups_of(user) == {role_group(cso, Role.SUPERVISOR)}
    assert [m.organisation for m in selectors.memberships_of(fresh(user))] == [cso]


def test_an_admin_of_another_organisation_cannot_manage_members(cso, alice, bob):
    membership = membership_of(alice, cso)

    with pytest.raises(NotAllowed):
        services.membership_add(organisation=cso, user=UserFactory(), role=Role.ADMIN, actor=bob)
    with pytest.raises(NotAllowed):
        services.membership_change_role(membership=membership, role=Role.ADMIN, actor=bob)
    with pytest.raises(NotAllowed):
        services.membership_deactivate(membership=membership, actor=bob)
    with pytest.raises(NotAllowed):
        services.member_invite(
            organisation=cso, email="new@example.org", role=Role.ADMIN, actor=bob
        )

    assert set(Membership.objects.filter(organisation=cso).values_list("user", flat=True)) == {
        alice.pk
    }
    membership.refresh_from_db()
    assert (membership.role, membership.is_active) == (Role.CASEWORKER, True)
    assert not get_user_model().objects.filter(email="new@example.org").exists()


def test_a_caseworker_cannot_manage_members_of_their_own_organisation(cso, alice):
    with pytest.raises(NotAllowed):
        services.membership_add(organisation=cso, user=UserFactory(), role=Role.ADMIN, actor=alice)
    with pytest.raises(NotAllowed):
        services.membership_change_role(
            membership=membership_of(alice, cso), role=Role.ADMIN, actor=alice
        )
    assert not fresh(alice).has_perm(MANAGE, cso)


def test_memberships_in_two_organisations_keep_separate_groups(cso, other_cso, bob):
    user = member(cso, Role.ADMIN)
    services.membership_add(organisation=other_cso, user=user, role=Role.CASEWORKER, actor=bob)

    assert role_groups_of(user) == {
        role_group(cso, Role.ADMIN),
        role_group(other_cso, Role.CASEWORKER),
    }
    assert fresh(user).has_perm(MANAGE, cso)
    assert not fresh(user).has_perm(MANAGE, other_cso)

    services.membership_deactivate(membership=membership_of(user, other_cso), actor=bob)

    assert role_groups_of(user) == {role_group(cso, Role.ADMIN)}
    assert fresh(user).has_perm(MANAGE, cso)
    assert [m.organisation for m in selectors.memberships_of(fresh(user))] == [cso]


def test_a_closed_organisation_takes_every_member_out_of_its_groups(cso, anna, alice, superuser):
    other = OrganisationFactory()
    services.membership_add(organisation=other, user=alice, role=Role.CASEWORKER)

    services.organisation_deactivate(organisation=cso, actor=superuser)

    assert role_groups_of(anna) == set()
    assert role_groups_of(alice) == {role_group(other, Role.CASEWORKER)}
    assert not fresh(anna).has_perm(MANAGE, cso)
    assert [m.organisation for m in selectors.memberships_of(fresh(alice))] == [other]
