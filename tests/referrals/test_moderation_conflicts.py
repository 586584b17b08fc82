"""Who may not moderate (issue: trust hardening, items 1 and 3).

A moderator is a coordinator of a group holding both organisations who is **not a member of the
sending organisation**: nobody approves their own organisation's referral. Coordinator rights
last while the person keeps an active membership somewhere: someone who left every
organisation no longer lists, reads or decides referrals awaiting moderation.
"""

from __future__ import annotations

import pytest
from django.test import Client

from organisations import services as organisation_services
from organisations.models import Membership
from referrals import selectors
from referrals.models import State
from tests.factories import member
from tests.referrals.conftest import get, post


@pytest.fixture
def insider(world):
    """A caseworker of the unverified sender who also coordinates the group."""
    person = member(world.unverified, "caseworker", username="u.coordinator")
    world.group.coordinators.add(person)
    return person


@pytest.fixture
def pending(world, insider):
    referral = world.draft(actor=world.unverified_worker)
    response = post(world.unverified_worker, f"/api/v1/referrals/{referral.pk}/submit/")
    assert response.data["state"] == State.PENDING_MODERATION
    return referral


def test_a_coordinator_cannot_approve_their_own_organisations_referral_through_the_api(
    world, insider, pending
):
    assert get(insider, "/api/v1/referrals/?box=moderation").data["results"] == []
    response = post(insider, f"/api/v1/referrals/{pending.pk}/approve/", {"note": "mine"})
    assert response.status_code in (403, 404)
    response = post(insider, f"/api/v1/referrals/{pending.pk}/reject/", {"reason": "mine"})
    assert response.status_code in (403, 404)
    pending.refresh_from_db()
    assert pending.state == State.PENDING_MODERATION
    # A coordinator from elsewhere still can.
    assert post(world.coordinator, f"/api/v1/referrals/{pending.pk}/approve/").status_code == 200


def test_a_coordinator_cannot_approve_their_own_organisations_referral_on_the_web(
    world, insider, pending
):
    client = Client()
    client.force_login(insider)
    page = client.get(f"/referrals/{pending.pk}/").content.decode()
    assert f"/referrals/{pending.pk}/approve/" not in page
    client.post(f"/referrals/{pending.pk}/approve/", {"note": "mine"})
    pending.refresh_from_db()
    assert pending.state == State.PENDING_MODERATION
    assert "moderation" not in client.get("/referrals/").content.decode().split("tabs")[1][:400]


def test_with_only_an_insider_to_moderate_the_submission_is_refused(world, insider):
    world.group.coordinators.remove(world.coordinator)
    referral = world.draft(actor=world.unverified_worker)
    response = post(world.unverified_worker, f"/api/v1/referrals/{referral.pk}/submit/")
    assert response.status_code == 400
    assert "to_organisation" in response.data
    referral.refresh_from_db()
    assert referral.state == State.DRAFT


def test_the_insider_is_not_asked_to_moderate(world, insider, django_capture_on_commit_callbacks):
    from notifications.models import Notification

    referral = world.draft(actor=world.unverified_worker)
    with django_capture_on_commit_callbacks(execute=True):
        post(world.unverified_worker, f"/api/v1/referrals/{referral.pk}/submit/")
    asked = set(
        Notification.objects.filter(kind="referral.moderation").values_list(
            "recipient__username", flat=True
        )
    )
    assert world.coordinator.username in asked
    assert insider.username not in asked


def test_coordinator_rights_end_with_the_last_active_membership(world, pending):
    membership = Membership.objects.get(user=world.coordinator)
    organisation_services.membership_deactivate(membership=membership, actor=None)
    world.coordinator.refresh_from_db()

    assert selectors.referral_list(user=world.coordinator, box="moderation").count() == 0
    assert get(world.coordinator, "/api/v1/referrals/?box=moderation").data["results"] == []
    assert get(world.coordinator, f"/api/v1/referrals/{pending.pk}/").status_code == 404
    assert post(world.coordinator, f"/api/v1/referrals/{pending.pk}/approve/").status_code == 404
    assert get(world.coordinator, "/api/v1/stats/referrals/").status_code == 403
    client = Client()
    client.force_login(world.coordinator)
    assert client.get(f"/referrals/{pending.pk}/").status_code == 404
    assert client.get(f"/coordination/groups/{world.group.pk}/").status_code == 404
    assert "Groups I coordinate" not in client.get("/").content.decode()
    pending.refresh_from_db()
    assert pending.state == State.PENDING_MODERATION
