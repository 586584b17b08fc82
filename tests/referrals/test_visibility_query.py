"""The lists' visibility (issue 13): an EXISTS probe of the permission index per row, answering
exactly what guardian's ``get_objects_for_user`` answers, for everyone."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from guardian.shortcuts import get_objects_for_user

from referrals import permissions
from referrals.models import Case, Referral, State

pytestmark = pytest.mark.django_db


def _guardian(user, codename: str, model) -> set[int]:
    """What the lists answered before (guardian, after the product's own check of the account)."""
    if not user.is_active:
        return set()
    rows = get_objects_for_user(
        user, codename, klass=model, accept_global_perms=False, with_superuser=False
    )
    return set(rows.values_list("pk", flat=True))


def test_everyone_sees_exactly_what_guardian_grants(world):
    for state in (State.DRAFT, State.SUBMITTED, State.ACCEPTED, State.COMPLETED, State.DECLINED):
        world.referral(state)
    world.case(consent_to=(world.third,))
    users = list(get_user_model().objects.all())
    assert len(users) >= 8

    for user in users:
        referrals = set(permissions.referral_list_visible(user).values_list("pk", flat=True))
        cases = set(permissions.case_list_visible(user).values_list("pk", flat=True))
        assert referrals == _guardian(user, "referrals.view_referral", Referral), user.username
        assert cases == _guardian(user, "referrals.manage_case", Case), user.username
    # Not vacuous: some active people see referrals, others see none.
    seen = {u: permissions.referral_list_visible(u).exists() for u in users if u.is_active}
    assert any(seen.values())
    assert not all(seen.values())


def test_a_membership_ended_or_an_account_closed_sees_nothing(world):
    world.referral(State.SUBMITTED)
    assert permissions.referral_list_visible(world.receiver_worker).exists()
    world.receiver_worker.is_active = False
    assert not permissions.referral_list_visible(world.receiver_worker).exists()


def test_the_list_probes_the_permission_index_instead_of_gathering_every_grant(world):
    sql = str(permissions.referral_list_visible(world.sender_worker).query).upper()
    assert "EXISTS" in sql
    assert " IN (SELECT" not in sql.split("EXISTS", 1)[0]  # no pk IN (all the grants)


def test_bulk_grants_are_what_the_live_path_leaves(world):
    """Loaders (seed_load, the demo's history) write in bulk the rows the services write one
    transition at a time."""
    from referrals.models import ReferralGroupObjectPermission

    referrals = [
        world.referral(state)
        for state in (
            State.SUBMITTED,
            State.ACKNOWLEDGED,
            State.ACCEPTED,
            State.IN_PROGRESS,
            State.ON_HOLD,
            State.COMPLETED,
            State.DECLINED,
            State.WITHDRAWN,
        )
    ]
    rows = ReferralGroupObjectPermission.objects.filter(content_object__in=referrals)
    live = set(rows.values_list("group_id", "permission__codename", "content_object_id"))
    rows.delete()

    permissions.referral_grant_bulk(list(Referral.objects.filter(pk__in=[r.pk for r in referrals])))

    bulk = set(rows.values_list("group_id", "permission__codename", "content_object_id"))
    assert bulk == live
