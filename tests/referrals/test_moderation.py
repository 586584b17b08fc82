"""Moderation: a sender that is neither verified nor trusted waits for a coordinator of a group
both organisations belong to; the receiver sees nothing before approval."""

from __future__ import annotations

import datetime

import pytest

from coordination.models import CoordinationGroup
from referrals import permissions, selectors
from referrals.models import EventName, State
from tests.factories import PartnershipFactory, member
from tests.referrals.conftest import get, ids, post


@pytest.fixture
def pending(world):
    referral = world.draft(actor=world.unverified_worker)
    response = post(world.unverified_worker, f"/api/v1/referrals/{referral.pk}/submit/")
    assert response.status_code == 200, response.data
    assert response.data["state"] == State.PENDING_MODERATION
    referral.refresh_from_db()
    return referral


def test_it_sends_an_unverified_untrusted_senders_referral_to_moderation(world, pending):
    assert pending.state == State.PENDING_MODERATION
    assert pending.events.order_by("-id").first().name == EventName.SENT_TO_MODERATION
    # No response clock runs while the coordinators look at it.
    assert pending.due_at is None


def test_the_receiver_cannot_see_it_before_approval(world, pending):
    for user in (world.receiver_worker, world.receiver_supervisor):
        assert get(user, f"/api/v1/referrals/{pending.pk}/").status_code == 404
        assert get(user, f"/api/v1/referrals/{pending.pk}/events/").status_code == 404
        assert pending.pk not in ids(get(user, "/api/v1/referrals/?box=inbox"))
        assert pending.pk not in ids(get(user, "/api/v1/referrals/"))
        assert not permissions.can_view_referral(user, pending)
    assert get(world.receiver_worker, "/api/v1/referrals/?box=moderation").data["results"] == []


def test_the_sender_sees_it_waiting(world, pending):
    response = get(world.unverified_worker, f"/api/v1/referrals/{pending.pk}/")

    assert response.status_code == 200
    assert response.data["state"] == State.PENDING_MODERATION
    assert pending.pk in ids(get(world.unverified_worker, "/api/v1/referrals/?box=outbox"))


def test_the_coordinator_sees_it_in_the_moderation_box_without_personal_data(world, pending):
    box = get(world.coordinator, "/api/v1/referrals/?box=moderation")
    assert ids(box) == [pending.pk]
    assert box.data["results"][0]["shared_data"] is None
    assert box.data["results"][0]["case"] is None

    detail = get(world.coordinator, f"/api/v1/referrals/{pending.pk}/")
    assert detail.status_code == 200
    assert detail.data["state"] == State.PENDING_MODERATION
    assert detail.data["shared_data"] is None
    assert detail.data["case"] is None
    # Reading it for moderation is not reading personal data, and acknowledges nothing.
    pending.refresh_from_db()
    assert pending.state == State.PENDING_MODERATION
    assert get(world.coordinator, f"/api/v1/cases/{pending.case_id}/").status_code == 404


def test_other_users_have_an_empty_moderation_box(world, pending):
    for user in (
        world.unverified_worker,
        world.sender_supervisor,
        world.third_worker,
        world.former,
    ):
        assert get(user, "/api/v1/referrals/?box=moderation").data["results"] == []


def test_the_coordinator_approves_and_the_receiver_then_sees_it(world, pending):
    response = post(world.coordinator, f"/api/v1/referrals/{pending.pk}/approve/", {"note": "ok"})

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.SUBMITTED
    # The moderator is no party: free text is not theirs to read (the parties read the note).
    assert response.data["moderation_note"] is None
    assert response.data["due_at"] is not None
    assert pending.pk in ids(get(world.receiver_worker, "/api/v1/referrals/?box=inbox"))
    opened = get(world.receiver_worker, f"/api/v1/referrals/{pending.pk}/")
    assert opened.status_code == 200
    assert opened.data["state"] == State.ACKNOWLEDGED
    assert opened.data["shared_data"]["given_name"] == "Amina"
    # Moderation is over: out of the box, and no longer visible to the coordinator.
    assert get(world.coordinator, "/api/v1/referrals/?box=moderation").data["results"] == []
    assert get(world.coordinator, f"/api/v1/referrals/{pending.pk}/").status_code == 404


def test_the_coordinator_rejects_with_a_reason(world, pending):
    response = post(
        world.coordinator, f"/api/v1/referrals/{pending.pk}/reject/", {"reason": "Not a service"}
    )

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.REJECTED
    assert response.data["moderation_note"] is None
    assert response.data["closed_at"] is not None
    assert get(world.receiver_worker, f"/api/v1/referrals/{pending.pk}/").status_code == 404
    assert pending.pk not in ids(get(world.receiver_worker, "/api/v1/referrals/"))
    sender_view = get(world.unverified_worker, f"/api/v1/referrals/{pending.pk}/")
    assert sender_view.data["state"] == State.REJECTED
    assert sender_view.data["moderation_note"] == "Not a service"


def test_a_rejection_needs_a_reason(world, pending):
    response = post(world.coordinator, f"/api/v1/referrals/{pending.pk}/reject/", {})

    assert response.status_code == 400
    assert "reason" in response.data


def test_a_coordinator_of_a_group_without_both_organisations_gets_404(world, pending):
    elsewhere = CoordinationGroup.objects.create(
        name="Elsewhere", convening_organisation=world.third
    )
    # Holds the sender only: not enough to moderate.
    elsewhere.members.add(world.unverified, world.third)
    outsider = member(world.third, "supervisor", username="t.coordinator")
    elsewhere.coordinators.add(outsider)

    assert get(outsider, "/api/v1/referrals/?box=moderation").data["results"] == []
    assert get(outsider, f"/api/v1/referrals/{pending.pk}/").status_code == 404
    assert post(outsider, f"/api/v1/referrals/{pending.pk}/approve/").status_code == 404
    assert (
        post(outsider, f"/api/v1/referrals/{pending.pk}/reject/", {"reason": "x"}).status_code
        == 404
    )
    pending.refresh_from_db()
    assert pending.state == State.PENDING_MODERATION


def test_a_coordinator_whose_account_is_deactivated_cannot_moderate(world, pending):
    world.coordinator.is_active = False
    world.coordinator.save(update_fields=["is_active"])

    assert selectors.referral_list(user=world.coordinator, box="moderation").count() == 0
    assert post(world.coordinator, f"/api/v1/referrals/{pending.pk}/approve/").status_code == 404


def test_a_coordinator_cannot_approve_twice(world, pending):
    assert post(world.coordinator, f"/api/v1/referrals/{pending.pk}/approve/").status_code == 200
    # Now submitted: no longer theirs to see.
    assert post(world.coordinator, f"/api/v1/referrals/{pending.pk}/approve/").status_code == 404
    assert post(world.sender_worker, f"/api/v1/referrals/{pending.pk}/approve/").status_code == 404
    assert (
        post(world.unverified_worker, f"/api/v1/referrals/{pending.pk}/approve/").status_code == 409
    )


def test_a_verified_sender_goes_straight_to_submitted(world):
    referral = world.draft()

    response = post(world.sender_worker, f"/api/v1/referrals/{referral.pk}/submit/")

    assert response.data["state"] == State.SUBMITTED
    assert get(world.coordinator, "/api/v1/referrals/?box=moderation").data["results"] == []


def test_a_trusted_sender_goes_straight_to_submitted(world):
    PartnershipFactory(municipality=world.receiver, organisation=world.unverified)
    referral = world.draft(actor=world.unverified_worker)

    response = post(world.unverified_worker, f"/api/v1/referrals/{referral.pk}/submit/")

    assert response.data["state"] == State.SUBMITTED
    assert referral.pk in ids(get(world.receiver_worker, "/api/v1/referrals/?box=inbox"))


def test_an_ended_partnership_does_not_make_trust(world):
    PartnershipFactory(
        municipality=world.receiver,
        organisation=world.unverified,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )
    referral = world.draft(actor=world.unverified_worker)

    response = post(world.unverified_worker, f"/api/v1/referrals/{referral.pk}/submit/")

    assert response.data["state"] == State.PENDING_MODERATION


def test_an_unverified_sender_without_a_common_group_is_told_so_at_submission(world):
    world.group.members.remove(world.receiver)
    draft = world.draft(actor=world.unverified_worker)

    response = post(world.unverified_worker, f"/api/v1/referrals/{draft.pk}/submit/")

    assert response.status_code == 400
    assert "to_organisation" in response.data
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
