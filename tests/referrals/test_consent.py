"""Consent: nothing leaves the owner without it (or a logged emergency override), the receiver
sees only the consented snapshot, and withdrawing consent withdraws what depends on it."""

from __future__ import annotations

import pytest

from referrals import permissions, services
from referrals.models import Consent, EventName, Referral, ReferralEvent, State
from tests.referrals.conftest import CONSENTED, get, post

SECRET_NOTE = "Confidential note: fled violence"
JUSTIFICATION = "Child alone at the port tonight, no time to ask"


def submit(user, referral, body=None):
    return post(user, f"/api/v1/referrals/{referral.pk}/submit/", body or {})


# Submitting needs consent ----------------------------------------------------------------------


def test_it_refuses_to_submit_without_consent(world):
    case = world.case(consent_to=())
    referral = world.draft(case=case)

    response = submit(world.sender_worker, referral)

    assert response.status_code == 400
    assert "consent" in response.data
    referral.refresh_from_db()
    assert referral.state == State.DRAFT
    assert referral.shared_data == {}
    assert get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/").status_code == 404


def test_a_consent_to_another_organisation_does_not_cover_the_recipient(world):
    case = world.case(consent_to=(world.third,))
    referral = world.draft(case=case)

    response = submit(world.sender_supervisor, referral)

    assert response.status_code == 400
    assert "consent" in response.data


def test_a_withdrawn_consent_does_not_cover_the_recipient(world):
    case = world.case()
    services.consent_withdraw(consent=case.consents.get(), actor=world.sender_worker)
    referral = world.draft(case=case)

    response = submit(world.sender_worker, referral)

    assert response.status_code == 400
    assert "consent" in response.data


# Recording consent -----------------------------------------------------------------------------


def consent_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/consents/"


def test_it_records_a_consent(world):
    case = world.case(consent_to=())

    response = post(
        world.sender_worker,
        consent_url(case),
        {"recipient": world.receiver.pk, "fields": ["given_name", "notes"]},
    )

    assert response.status_code == 201, response.data
    assert response.data["fields"] == ["given_name", "notes"]
    assert response.data["is_active"] is True
    consent = Consent.objects.get(pk=response.data["id"])
    assert consent.recorded_by == world.sender_worker
    assert consent.recipient == world.receiver


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fields": ["given_name", "religion"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"fields": "given_name"}, "fields"),
        ({"fields": ["reference"]}, "fields"),
        ({"recipient": "owner"}, "recipient"),
        ({"recipient": "inactive"}, "recipient"),
        ({"recipient": 999999}, "recipient"),
        ({"recipient": None}, "recipient"),
    ],
)
def test_it_validates_consent_fields(world, body, field):
    case = world.case(consent_to=())
    data = {"recipient": world.receiver.pk, "fields": ["given_name"], **body}
    if data["recipient"] == "owner":
        data["recipient"] = world.sender.pk
    elif data["recipient"] == "inactive":
        world.fourth.is_active = False
        world.fourth.save(update_fields=["is_active"])
        data["recipient"] = world.fourth.pk

    response = post(world.sender_worker, consent_url(case), data)

    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Consent.objects.filter(case=case).exists()


def test_only_the_owners_staff_record_consent(world):
    case = world.case(consent_to=())
    body = {"recipient": world.receiver.pk, "fields": ["given_name"]}

    for user in (world.receiver_worker, world.third_worker, world.sender_admin, world.coordinator):
        assert post(user, consent_url(case), body).status_code == 404
    assert not Consent.objects.filter(case=case).exists()


# The snapshot ----------------------------------------------------------------------------------


def test_the_snapshot_holds_exactly_the_consented_fields_and_the_reference(world):
    referral = world.referral(State.SUBMITTED)

    assert referral.shared_data == {
        "reference": referral.case.reference,
        "given_name": "Amina",
        "age_band": "18-25",
        "languages": ["ar", "en"],
    }
    assert set(referral.shared_data) == {"reference", *CONSENTED}
    assert referral.consent == referral.case.consents.get()


def test_the_notes_are_shared_only_when_consented(world):
    with_notes = world.case(fields=["notes"])
    referral = world.referral(State.SUBMITTED, case=with_notes)

    assert referral.shared_data == {"reference": with_notes.reference, "notes": SECRET_NOTE}


def test_the_snapshot_does_not_follow_later_edits_of_the_case(world):
    referral = world.referral(State.SUBMITTED)

    services.case_update(case=referral.case, actor=world.sender_worker, given_name="Changed")

    referral.refresh_from_db()
    assert referral.shared_data["given_name"] == "Amina"


def test_the_receiver_sees_the_snapshot_and_never_the_case(world):
    referral = world.referral(State.SUBMITTED)
    case = referral.case
    receivers = (world.receiver_worker, world.receiver_supervisor)

    for user in receivers:
        detail = get(user, f"/api/v1/referrals/{referral.pk}/")
        listing = get(user, "/api/v1/referrals/?box=inbox")
        events = get(user, f"/api/v1/referrals/{referral.pk}/events/")
        assert detail.data["case"] is None
        assert detail.data["shared_data"] == referral.shared_data
        assert listing.data["results"][0]["case"] is None
        for response in (detail, listing, events):
            assert SECRET_NOTE not in response.content.decode()
            assert "Sudan" not in response.content.decode()
            assert "+216" not in response.content.decode()
        assert get(user, f"/api/v1/cases/{case.pk}/").status_code == 404
        assert get(user, "/api/v1/cases/").data["results"] == []

    sender = get(world.sender_worker, f"/api/v1/referrals/{referral.pk}/")
    assert sender.data["case"] == case.pk
    assert sender.data["shared_data"] == referral.shared_data


# The emergency override ------------------------------------------------------------------------


def test_a_supervisor_may_override_with_a_justification(world):
    case = world.case(consent_to=())
    referral = world.draft(case=case)

    response = submit(
        world.sender_supervisor, referral, {"override_justification": f"  {JUSTIFICATION}  "}
    )

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.SUBMITTED
    assert response.data["consent_overridden"] is True
    assert response.data["override_justification"] == JUSTIFICATION
    referral.refresh_from_db()
    assert referral.override_by == world.sender_supervisor
    assert referral.consent is None
    assert "notes" not in referral.shared_data
    assert referral.shared_data["reference"] == case.reference
    event = ReferralEvent.objects.get(referral=referral, name=EventName.OVERRIDE)
    assert event.actor == world.sender_supervisor
    assert event.text == JUSTIFICATION
    receiver = get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")
    assert receiver.data["consent_overridden"] is True
    assert receiver.data["override_justification"] == JUSTIFICATION
    assert SECRET_NOTE not in receiver.content.decode()
    names = [
        e["name"] for e in get(world.sender_worker, f"/api/v1/referrals/{referral.pk}/events/").data
    ]
    assert "consent_override" in names


@pytest.mark.parametrize("justification", ["too short", "x" * 19, " " * 30 + "short"])
def test_an_override_needs_twenty_characters(world, justification):
    referral = world.draft(case=world.case(consent_to=()))

    response = submit(world.sender_supervisor, referral, {"override_justification": justification})

    assert response.status_code == 400
    assert "override_justification" in response.data
    referral.refresh_from_db()
    assert referral.state == State.DRAFT
    assert not ReferralEvent.objects.filter(referral=referral, name=EventName.OVERRIDE).exists()


def test_a_caseworker_cannot_override(world):
    referral = world.draft(case=world.case(consent_to=()))

    response = submit(world.sender_worker, referral, {"override_justification": JUSTIFICATION})

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.state == State.DRAFT
    assert referral.override_justification == ""


def test_a_consent_makes_the_override_unnecessary(world):
    referral = world.draft()

    response = submit(world.sender_supervisor, referral, {"override_justification": JUSTIFICATION})

    assert response.data["consent_overridden"] is False
    assert response.data["override_justification"] == ""
    assert not ReferralEvent.objects.filter(referral=referral, name=EventName.OVERRIDE).exists()


# Withdrawing consent ---------------------------------------------------------------------------


def withdraw_url(consent: Consent) -> str:
    return f"/api/v1/cases/{consent.case_id}/consents/{consent.pk}/withdraw/"


@pytest.mark.parametrize(
    "state", [State.SUBMITTED, State.ACKNOWLEDGED, State.ACCEPTED, State.IN_PROGRESS, State.ON_HOLD]
)
def test_withdrawing_consent_withdraws_the_open_referrals_to_that_recipient(world, state):
    referral = world.referral(state)
    consent = referral.consent
    assert permissions.can_view_shared_data(world.receiver_worker, referral)

    response = post(world.sender_worker, withdraw_url(consent))

    assert response.status_code == 200, response.data
    assert response.data["is_active"] is False
    assert response.data["withdrawn_at"] is not None
    referral.refresh_from_db()
    assert referral.state == State.WITHDRAWN
    assert referral.shared_data_revoked_at is not None
    event = referral.events.order_by("-id").first()
    assert event.name == EventName.WITHDRAWN
    assert (event.from_state, event.to_state) == (state, State.WITHDRAWN)
    assert event.actor == world.sender_worker
    receiver = get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")
    assert receiver.status_code == 200
    assert receiver.data["state"] == State.WITHDRAWN
    assert receiver.data["shared_data"] is None
    inbox = get(world.receiver_supervisor, "/api/v1/referrals/?box=inbox")
    assert inbox.data["results"][0]["shared_data"] is None
    # The receiver can no longer act on it.
    assert (
        post(world.receiver_supervisor, f"/api/v1/referrals/{referral.pk}/accept/").status_code
        == 409
    )
    # The owner still has it all.
    sender = get(world.sender_worker, f"/api/v1/referrals/{referral.pk}/")
    assert sender.data["shared_data"] == referral.shared_data


def test_withdrawing_consent_leaves_completed_referrals_completed(world):
    case = world.case()
    done = world.referral(State.COMPLETED, case=case)
    open_one = world.referral(State.SUBMITTED, case=case, category="food")
    consent = case.consents.get()

    response = post(world.sender_supervisor, withdraw_url(consent))

    assert response.status_code == 200
    done.refresh_from_db()
    open_one.refresh_from_db()
    assert done.state == State.COMPLETED
    assert done.outcome == "provided"
    assert open_one.state == State.WITHDRAWN


def test_withdrawing_consent_leaves_referrals_to_other_recipients(world):
    case = world.case(consent_to=(world.receiver, world.third))
    to_receiver = world.referral(State.SUBMITTED, case=case)
    to_third = world.referral(State.SUBMITTED, case=case, to=world.third)
    consent = case.consents.get(recipient=world.receiver)

    post(world.sender_worker, withdraw_url(consent))

    to_receiver.refresh_from_db()
    to_third.refresh_from_db()
    assert to_receiver.state == State.WITHDRAWN
    assert to_third.state == State.SUBMITTED
    assert get(world.third_worker, f"/api/v1/referrals/{to_third.pk}/").data["shared_data"]


def test_withdrawing_another_consent_leaves_the_referral_covered_by_its_own(world):
    referral = world.referral(State.SUBMITTED)
    later = services.consent_record(
        case=referral.case, actor=world.sender_worker, recipient=world.receiver, fields=["sex"]
    )

    response = post(world.sender_worker, withdraw_url(later))

    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED


def test_withdrawing_consent_twice_is_a_conflict(world):
    referral = world.referral(State.SUBMITTED)
    consent = referral.consent
    assert post(world.sender_worker, withdraw_url(consent)).status_code == 200
    events = ReferralEvent.objects.count()

    response = post(world.sender_worker, withdraw_url(consent))

    assert response.status_code == 409
    assert ReferralEvent.objects.count() == events


def test_only_the_owners_staff_withdraw_consent(world):
    referral = world.referral(State.SUBMITTED)
    consent = referral.consent

    for user in (world.receiver_supervisor, world.third_worker, world.sender_admin, world.former):
        assert post(user, withdraw_url(consent)).status_code == 404
    consent.refresh_from_db()
    assert consent.is_active
    assert Referral.objects.get(pk=referral.pk).state == State.SUBMITTED


def test_withdrawing_a_consent_of_another_case_is_404(world):
    referral = world.referral(State.SUBMITTED)
    other_case = world.case()

    response = post(
        world.sender_worker,
        f"/api/v1/cases/{other_case.pk}/consents/{referral.consent_id}/withdraw/",
    )

    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.state == State.SUBMITTED


def test_withdrawing_consent_ends_the_receivers_copy_of_closed_referrals_at_once(world):
    referral = world.referral(State.COMPLETED)
    consent = referral.consent

    response = post(
        world.sender_worker, f"/api/v1/cases/{referral.case_id}/consents/{consent.pk}/withdraw/"
    )

    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.state == State.COMPLETED
    assert referral.shared_data_revoked_at is not None
    receiver_view = get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")
    assert receiver_view.data["shared_data"] is None
    assert receiver_view.data["outcome"] == "provided"
    assert (
        ReferralEvent.objects.filter(referral=referral, name=EventName.ACCESS_REVOKED).count() == 1
    )
