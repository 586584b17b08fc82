"""A decline may suggest another organisation; the sender then drafts a new, linked referral to
it. Consent is per recipient: the new referral needs its own (no blind forwarding)."""

from __future__ import annotations

import pytest

from referrals import permissions, services
from referrals.exceptions import ConsentMissing, InvalidTransition, NotAllowed, NotVisible
from referrals.models import Referral, State
from tests.referrals.conftest import get, ids, post


@pytest.fixture
def declined(world) -> Referral:
    referral = world.referral(State.ACKNOWLEDGED, urgency="high")
    response = post(
        world.receiver_worker,
        f"/api/v1/referrals/{referral.pk}/decline/",
        {"reason": "not_eligible", "note": "Adults only", "suggested_organisation": world.third.pk},
    )
    assert response.status_code == 200, response.data
    referral.refresh_from_db()
    return referral


def test_the_decline_names_the_suggested_organisation(world, declined):
    assert declined.state == State.DECLINED
    assert declined.suggested_organisation == world.third
    sender_view = get(world.sender_worker, f"/api/v1/referrals/{declined.pk}/")
    assert sender_view.data["suggested_organisation"] == world.third.pk
    assert sender_view.data["decline_reason"] == "not_eligible"
    assert sender_view.data["decline_note"] == "Adults only"
    # The suggested organisation learns nothing of it.
    assert get(world.third_worker, f"/api/v1/referrals/{declined.pk}/").status_code == 404


def test_referring_onwards_drafts_a_linked_referral_to_the_suggestion(world, declined):
    onwards = services.referral_refer_onwards(referral_id=declined.pk, actor=world.sender_worker)

    assert onwards.pk != declined.pk
    assert onwards.state == State.DRAFT
    assert onwards.parent == declined
    assert onwards.case == declined.case
    assert onwards.from_organisation == world.sender
    assert onwards.to_organisation == world.third
    assert onwards.service_category == declined.service_category
    assert onwards.urgency == declined.urgency
    assert onwards.reason == declined.reason
    assert onwards.shared_data == {}
    assert onwards.created_by == world.sender_worker
    # A draft: the suggested organisation does not see it yet.
    assert not permissions.can_view_referral(world.third_worker, onwards)
    response = get(world.sender_worker, f"/api/v1/referrals/{onwards.pk}/")
    assert response.data["parent"] == declined.pk
    declined.refresh_from_db()
    assert declined.state == State.DECLINED


def test_the_new_referral_needs_a_consent_for_the_new_recipient(world, declined):
    onwards = services.referral_refer_onwards(referral_id=declined.pk, actor=world.sender_worker)

    with pytest.raises(ConsentMissing) as raised:
        services.referral_submit(referral_id=onwards.pk, actor=world.sender_worker)
    assert raised.value.field == "consent"
    response = post(world.sender_supervisor, f"/api/v1/referrals/{onwards.pk}/submit/")
    assert response.status_code == 400
    assert "consent" in response.data

    onwards.refresh_from_db()
    assert onwards.state == State.DRAFT
    assert onwards.pk not in ids(get(world.third_worker, "/api/v1/referrals/"))


def test_with_a_consent_for_the_new_recipient_it_goes_through(world, declined):
    onwards = services.referral_refer_onwards(referral_id=declined.pk, actor=world.sender_worker)
    services.consent_record(
        case=declined.case, actor=world.sender_worker, recipient=world.third, fields=["sex"]
    )

    submitted = services.referral_submit(referral_id=onwards.pk, actor=world.sender_worker)

    assert submitted.state == State.SUBMITTED
    assert submitted.shared_data == {"reference": declined.case.reference, "sex": "female"}
    third_view = get(world.third_worker, f"/api/v1/referrals/{onwards.pk}/")
    assert third_view.status_code == 200
    assert third_view.data["shared_data"] == submitted.shared_data
    assert third_view.data["parent"] == declined.pk
    # The new receiver still cannot open the declined one it is linked to.
    assert get(world.third_worker, f"/api/v1/referrals/{declined.pk}/").status_code == 404


def test_only_the_sender_refers_onwards(world, declined):
    with pytest.raises(NotAllowed):
        services.referral_refer_onwards(referral_id=declined.pk, actor=world.receiver_supervisor)
    for outsider in (world.third_worker, world.coordinator, world.sender_admin, world.former):
        with pytest.raises(NotVisible):
            services.referral_refer_onwards(referral_id=declined.pk, actor=outsider)
    assert not Referral.objects.filter(parent=declined).exists()


def test_there_is_nothing_to_refer_onwards_without_a_suggestion(world):
    plain = world.referral(State.DECLINED)
    with pytest.raises(InvalidTransition):
        services.referral_refer_onwards(referral_id=plain.pk, actor=world.sender_worker)


@pytest.mark.parametrize("state", [State.SUBMITTED, State.ACCEPTED, State.COMPLETED])
def test_only_a_declined_referral_is_referred_onwards(world, state):
    referral = world.referral(state)
    with pytest.raises(InvalidTransition):
        services.referral_refer_onwards(referral_id=referral.pk, actor=world.sender_worker)
    assert not Referral.objects.filter(parent=referral).exists()


def test_referring_onwards_twice_finds_the_first_draft(world, declined):
    first = services.referral_refer_onwards(referral_id=declined.pk, actor=world.sender_worker)
    second = services.referral_refer_onwards(referral_id=declined.pk, actor=world.sender_worker)

    assert second.pk == first.pk
    assert Referral.objects.filter(parent=declined).count() == 1


def test_the_api_refers_onwards_as_the_web_does(world, declined, client):
    url = f"/api/v1/referrals/{declined.pk}/refer-onwards/"
    assert post(world.receiver_supervisor, url).status_code == 403
    assert post(world.third_worker, url).status_code == 404
    assert not Referral.objects.filter(parent=declined).exists()

    response = post(world.sender_worker, url)

    assert response.status_code == 200, response.data
    draft = Referral.objects.get(parent=declined)
    assert (response.data["id"], response.data["state"]) == (draft.pk, State.DRAFT)
    assert response.data["to_organisation"] == world.third.pk
    assert post(world.sender_worker, url).data["id"] == draft.pk  # a second call, the same
    client.force_login(world.sender_worker)
    client.post(f"/referrals/{declined.pk}/refer-onwards/")
    assert Referral.objects.filter(parent=declined).count() == 1  # the web finds it too
    plain = world.referral(State.SUBMITTED)
    assert (
        post(world.sender_worker, f"/api/v1/referrals/{plain.pk}/refer-onwards/").status_code == 409
    )
