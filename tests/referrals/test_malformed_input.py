"""Whatever a client sends, the API answers with a 4xx that names the problem, never a 500."""

from __future__ import annotations

import pytest

from referrals.models import Case, Referral, State
from tests.factories import ServiceFactory
from tests.referrals.conftest import client_for, post

HUGE = "9" * 30


@pytest.fixture
def draft(world):
    return world.referral(State.DRAFT)


@pytest.fixture
def submitted(world):
    return world.referral(State.SUBMITTED)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/referrals/abc/"),
        ("get", "/api/v1/referrals/1.5/"),
        ("get", "/api/v1/referrals/-1/"),
        ("get", f"/api/v1/referrals/{HUGE}/"),
        ("get", "/api/v1/referrals/abc/events/"),
        ("get", f"/api/v1/referrals/{HUGE}/events/"),
        ("patch", "/api/v1/referrals/abc/"),
        ("patch", f"/api/v1/referrals/{HUGE}/"),
        ("post", "/api/v1/referrals/abc/accept/"),
        ("post", f"/api/v1/referrals/{HUGE}/withdraw/"),
        ("post", "/api/v1/referrals/abc/comment/"),
        ("get", "/api/v1/cases/abc/"),
        ("get", "/api/v1/cases/-1/"),
        ("get", f"/api/v1/cases/{HUGE}/"),
        ("patch", "/api/v1/cases/abc/"),
        ("post", "/api/v1/cases/abc/consents/"),
        ("post", f"/api/v1/cases/{HUGE}/consents/"),
        ("post", "/api/v1/cases/{case}/consents/abc/withdraw/"),
        ("post", "/api/v1/cases/{case}/consents/-1/withdraw/"),
        ("post", f"/api/v1/cases/{{case}}/consents/{HUGE}/withdraw/"),
    ],
)
def test_a_malformed_or_impossible_id_is_not_found(world, method, path):
    path = path.replace("{case}", str(world.case().pk))

    response = getattr(client_for(world.sender_supervisor), method)(path, {}, format="json")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=bogus", "state"),
        ("state=%00", "state"),
        ("box=everything", "box"),
        ("urgency=yesterday", "urgency"),
        ("category=magic", "category"),
        ("overdue=maybe", "overdue"),
        ("organisation=abc", "organisation"),
        ("organisation=0", "organisation"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(world, query, field):
    response = client_for(world.sender_worker).get(f"/api/v1/referrals/?{query}")

    assert response.status_code == 400
    assert field in response.data


def test_a_bad_page_size_is_a_400_not_silently_ignored(world, submitted):
    response = client_for(world.sender_worker).get("/api/v1/referrals/?page_size=lots")

    assert response.status_code == 400
    assert "page_size" in response.data


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"languages": "fr"}, "languages"),
        ({"languages": ["French!"]}, "languages"),
        ({"vulnerabilities": ["tall"]}, "vulnerabilities"),
        ({"vulnerabilities": "disability"}, "vulnerabilities"),
        ({"birth_year": "nineteen"}, "birth_year"),
        ({"birth_year": 1800}, "birth_year"),
        ({"birth_year": 10**12}, "birth_year"),
        ({"age_band": "old"}, "age_band"),
        ({"sex": 5}, "sex"),
        ({"given_name": ["Amina"]}, "given_name"),
        ({"given_name": "A" * 101}, "given_name"),
        ({"given_name": "Ami\x00na"}, "given_name"),
        ({"notes": {"text": "x"}}, "notes"),
        ({"organisation": "abc"}, "organisation"),
        ({"organisation": 999999}, "organisation"),
    ],
)
def test_a_case_with_wrong_types_is_a_400(world, body, field):
    response = client_for(world.sender_worker).post("/api/v1/cases/", body, format="json")

    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Case.objects.exists()


@pytest.mark.parametrize("payload", ["[1, 2]", '"text"', "{", "null", "12"])
def test_a_body_that_is_not_an_object_is_a_400(world, submitted, payload):
    client = client_for(world.receiver_worker)
    for path in ("/api/v1/cases/", f"/api/v1/referrals/{submitted.pk}/accept/"):
        response = client.post(path, payload, content_type="application/json")
        assert response.status_code == 400, (path, response.content)
    assert Referral.objects.get(pk=submitted.pk).state == State.SUBMITTED


@pytest.mark.parametrize("payload", ["[" * 100_000, '{"a": ' * 50_000 + "1" + "}" * 50_000])
def test_a_body_nested_too_deep_is_a_400(world, submitted, payload):
    client = client_for(world.receiver_worker)
    for path in (
        "/api/v1/cases/",
        "/api/v1/referrals/",
        f"/api/v1/referrals/{submitted.pk}/accept/",
    ):
        response = client.post(path, payload, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
    assert Referral.objects.get(pk=submitted.pk).state == State.SUBMITTED


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/v1/cases/", '{"given_name": "A\\ud800"}'),
        ("/api/v1/cases/", '{"notes": "\\udfff"}'),
    ],
)
def test_a_lone_surrogate_is_a_400(world, path, payload):
    # A JSON escape for half a UTF-16 pair: valid JSON, but no text PostgreSQL can store.
    response = client_for(world.sender_worker).post(path, payload, content_type="application/json")

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_case_for_someone_elses_organisation_is_refused(world):
    response = client_for(world.sender_worker).post(
        "/api/v1/cases/", {"organisation": world.third.pk}, format="json"
    )

    assert response.status_code == 403
    assert not Case.objects.exists()


def test_the_case_reference_cannot_be_written(world):
    case = world.case()

    response = client_for(world.sender_worker).patch(
        f"/api/v1/cases/{case.pk}/", {"reference": "C-MINE", "given_name": "Aya"}, format="json"
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert case.reference != "C-MINE"
    assert case.given_name == "Aya"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"case": "abc"}, "case"),
        ({"case": None}, "case"),
        ({"to_organisation": "abc"}, "to_organisation"),
        ({"to_organisation": "own"}, "to_organisation"),
        ({"service_category": "magic"}, "service_category"),
        ({"urgency": "now"}, "urgency"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 5001}, "reason"),
        ({"service": "other_organisation"}, "service"),
        ({"service": "other_category"}, "service"),
    ],
)
def test_a_referral_with_wrong_values_is_a_400(world, body, field):
    case = world.case()
    data = {
        "case": case.pk,
        "to_organisation": world.receiver.pk,
        "service_category": "food",
        "reason": "Hungry",
        **body,
    }
    if data["to_organisation"] == "own":
        data["to_organisation"] = world.sender.pk
    if data.get("service") == "other_organisation":
        data["service"] = ServiceFactory(organisation=world.third, category="food").pk
    elif data.get("service") == "other_category":
        data["service"] = ServiceFactory(organisation=world.receiver, category="health").pk

    response = client_for(world.sender_worker).post("/api/v1/referrals/", data, format="json")

    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"urgency": "now"}, "urgency"),
        ({"to_organisation": "own"}, "to_organisation"),
        ({"service_category": 7}, "service_category"),
        ({"reason": ["x"]}, "reason"),
    ],
)
def test_a_draft_patch_with_wrong_values_is_a_400(world, draft, body, field):
    if body.get("to_organisation") == "own":
        body = {"to_organisation": world.sender.pk}

    response = client_for(world.sender_worker).patch(
        f"/api/v1/referrals/{draft.pk}/", body, format="json"
    )

    assert response.status_code == 400, response.data
    assert field in response.data


def test_the_state_and_snapshot_cannot_be_patched(world, draft):
    response = client_for(world.sender_worker).patch(
        f"/api/v1/referrals/{draft.pk}/",
        {"state": "completed", "shared_data": {"notes": "x"}, "reason": "Still hungry"},
        format="json",
    )

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.DRAFT
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert draft.shared_data == {}
    assert draft.reason == "Still hungry"


@pytest.mark.parametrize(
    ("transition", "body", "field"),
    [
        ("hold", {"expected_date": 5}, "expected_date"),
        ("hold", {"expected_date": "2030-02-31"}, "expected_date"),
        ("accept", {"assignee": "abc"}, "assignee"),
        ("accept", {"assignee": [1]}, "assignee"),
        ("decline", {"reason": "other", "suggested_organisation": "x"}, "suggested_organisation"),
        ("complete", {"outcome": ["provided"], "note": "x"}, "outcome"),
        ("withdraw", {"reason": {"why": "moved"}}, "reason"),
        ("withdraw", {"reason": "x" * 5001}, "reason"),
        ("submit", {"override_justification": ["x"]}, "override_justification"),
        ("comment", {"comment": ["x"]}, "comment"),
    ],
)
def test_a_transition_body_with_wrong_types_is_a_400(world, transition, body, field):
    referral = world.referral(State.ACCEPTED)
    user = world.sender_worker if transition in ("withdraw", "submit") else world.receiver_worker

    response = client_for(user).post(
        f"/api/v1/referrals/{referral.pk}/{transition}/", body, format="json"
    )

    assert response.status_code == 400, response.data
    assert field in response.data
    assert Referral.objects.get(pk=referral.pk).state == State.ACCEPTED


def test_an_empty_comment_is_a_400(world, submitted):
    response = client_for(world.sender_worker).post(
        f"/api/v1/referrals/{submitted.pk}/comment/", {"comment": "  "}, format="json"
    )

    assert response.status_code == 400
    assert "comment" in response.data


def test_unsupported_methods_are_405(world, submitted):
    client = client_for(world.sender_worker)

    assert client.delete(f"/api/v1/referrals/{submitted.pk}/").status_code == 405
    assert client.put(f"/api/v1/cases/{submitted.case_id}/", {}, format="json").status_code == 405
    assert client.get(f"/api/v1/referrals/{submitted.pk}/accept/").status_code == 405


def test_filtering_by_an_organisation_one_is_not_in_lists_nothing(world, submitted):
    """A well-formed id of someone else's organisation: nothing of it is the user's to list."""
    url = f"/api/v1/referrals/?organisation={world.receiver.pk}"
    response = client_for(world.sender_worker).get(url)

    assert response.status_code == 200
    assert response.data["results"] == []


def test_the_birth_year_rule_holds_for_the_form_the_api_and_the_service(world, client):
    """One rule in the model: from 1900 to this year, on the day it is checked."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from referrals import services as referral_services

    next_year = timezone.localdate().year + 1
    with pytest.raises(ValidationError) as refused:
        referral_services.case_create(
            actor=world.sender_worker, organisation=world.sender, birth_year=next_year
        )
    assert "birth_year" in refused.value.message_dict
    api = post(world.sender_worker, "/api/v1/cases/", {"birth_year": 1899})
    assert api.status_code == 400
    assert "birth_year" in api.data
    client.force_login(world.sender_worker)
    page = client.post("/cases/new/", {"birth_year": next_year, "age_band": "unknown"})
    assert page.status_code == 200  # the form again, with the error
    assert "Enter a year between 1900 and this year." in page.content.decode()
    assert not Case.objects.filter(birth_year__in=[1899, next_year]).exists()
