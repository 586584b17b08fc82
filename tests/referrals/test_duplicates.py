"""A second referral of the same case for the same service while one is open: a warning that
points to the open one (the referral is still created: the caseworker decides)."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from organisations import names
from organisations.models import CapacityStatus
from referrals.models import Referral, State
from tests.factories import ServiceFactory
from tests.referrals.conftest import post


def create(world, case, *, category="emergency_shelter", to=None):
    return post(
        world.sender_worker,
        "/api/v1/referrals/",
        {
            "case": case.pk,
            "to_organisation": (to or world.receiver).pk,
            "service_category": category,
            "urgency": "high",
            "reason": "Sleeping outside",
        },
    )


def test_the_first_referral_has_no_warning(world):
    response = create(world, world.case())

    assert response.status_code == 201, response.data
    assert response.data["warnings"] == []
    assert response.data["state"] == State.DRAFT


@pytest.mark.parametrize(
    "state", [State.DRAFT, State.SUBMITTED, State.ACKNOWLEDGED, State.ACCEPTED, State.ON_HOLD]
)
def test_it_warns_of_an_open_referral_for_the_same_category(world, state):
    case = world.case()
    existing = world.referral(state, case=case)

    response = create(world, case, to=world.third)

    assert response.status_code == 201, response.data
    assert [w["code"] for w in response.data["warnings"]] == ["duplicate"]
    warning = response.data["warnings"][0]
    assert warning["referral"] == existing.pk
    assert str(existing.pk) in warning["message"]
    assert Referral.objects.filter(case=case).count() == 2


def test_it_warns_of_an_open_referral_awaiting_moderation(world):
    case = world.case(actor=world.unverified_worker)
    existing = world.referral(State.PENDING_MODERATION, case=case, actor=world.unverified_worker)

    response = post(
        world.unverified_worker,
        "/api/v1/referrals/",
        {
            "case": case.pk,
            "to_organisation": world.third.pk,
            "service_category": "emergency_shelter",
            "reason": "Again",
        },
    )

    assert [w["referral"] for w in response.data["warnings"]] == [existing.pk]


@pytest.mark.parametrize("state", [State.COMPLETED, State.DECLINED, State.WITHDRAWN, State.EXPIRED])
def test_no_warning_once_the_first_is_closed(world, state):
    case = world.case()
    world.referral(state, case=case)

    response = create(world, case)

    assert response.status_code == 201
    assert response.data["warnings"] == []


def test_no_warning_for_another_category(world):
    case = world.case()
    world.referral(State.SUBMITTED, case=case)

    response = create(world, case, category="legal_aid")

    assert response.data["warnings"] == []


def test_no_warning_for_another_case(world):
    world.referral(State.SUBMITTED)

    response = create(world, world.case())

    assert response.data["warnings"] == []


def test_a_rejected_referral_is_closed_too(world):
    case = world.case(actor=world.unverified_worker)
    world.referral(State.REJECTED, case=case, actor=world.unverified_worker)

    response = post(
        world.unverified_worker,
        "/api/v1/referrals/",
        {
            "case": case.pk,
            "to_organisation": world.receiver.pk,
            "service_category": "emergency_shelter",
            "reason": "Again",
        },
    )

    assert response.status_code == 201
    assert response.data["warnings"] == []


# One rule, two entry points: the web asks to confirm the same warnings the API returns ----------


def test_web_and_api_give_the_same_warnings_for_a_duplicate_and_a_full_service(world, client):
    case = world.case(consent_to=(world.receiver, world.third))
    existing = world.referral(State.SUBMITTED, case=case)
    full = ServiceFactory(
        organisation=world.third,
        category="emergency_shelter",
        capacity_status=CapacityStatus.FULL,
    )
    client.force_login(world.sender_worker)
    url = f"/cases/{case.pk}/refer/"
    form = {"service": full.pk, "urgency": "normal", "reason": "Sleeping outside", "draft": "1"}

    asked = client.post(url, form)

    assert asked.status_code == 200  # the form again, with the warnings to confirm
    assert Referral.objects.filter(case=case).count() == 1  # nothing saved yet
    page = asked.content.decode()
    api = post(
        world.sender_worker,
        "/api/v1/referrals/",
        {
            "case": case.pk,
            "to_organisation": world.third.pk,
            "service": full.pk,
            "service_category": "emergency_shelter",
            "reason": "Sleeping outside",
        },
    )
    assert api.status_code == 201, api.data
    assert [w["code"] for w in api.data["warnings"]] == ["duplicate", "service_full"]
    assert api.data["warnings"][0]["referral"] == existing.pk
    # The same words; the page isolates the organisation's name inside its sentence.
    assert names.FSI + escape(world.receiver.name) + names.PDI in page
    for warning in api.data["warnings"]:
        assert names.FSI not in warning["message"]
        assert escape(warning["message"]) in names.without_isolates(page)

    confirmed = client.post(url, {**form, "confirm_warnings": "on"})

    assert confirmed.status_code == 302
    assert Referral.objects.filter(case=case).count() == 3
