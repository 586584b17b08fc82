"""The journey of issue 3 through the API, end to end, with the demo world."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from referrals.models import AccessLog, Referral


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, verbosity=0)
    return {u.username: u for u in get_user_model().objects.all()}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_journey_from_registration_to_outcome(demo):
    from organisations.models import Organisation

    municipality = Organisation.objects.get(name="Municipality of Sfax")
    worker = client_for(demo["cso1.worker"])
    staff = client_for(demo["muni.staff"])
    outsider = client_for(demo["cso2.worker"])

    case = worker.post(
        "/api/v1/cases/",
        {"given_name": "Aïcha", "age_band": "18-25", "sex": "female", "notes": "secret"},
        format="json",
    )
    assert case.status_code == 201, case.data
    case_id = case.data["id"]
    consent = worker.post(
        f"/api/v1/cases/{case_id}/consents/",
        {"recipient": municipality.pk, "fields": ["given_name", "age_band"]},
        format="json",
    )
    assert consent.status_code == 201, consent.data
    draft = worker.post(
        "/api/v1/referrals/",
        {
            "case": case_id,
            "to_organisation": municipality.pk,
            "service_category": "emergency_shelter",
            "urgency": "high",
            "reason": "Sleeping outside",
        },
        format="json",
    )
    assert draft.status_code == 201, draft.data
    rid = draft.data["id"]
    submitted = worker.post(f"/api/v1/referrals/{rid}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.data
    assert submitted.data["state"] == "submitted"

    inbox = staff.get("/api/v1/referrals/?box=inbox")
    assert rid in [r["id"] for r in inbox.data["results"]]
    opened = staff.get(f"/api/v1/referrals/{rid}/")
    assert opened.data["state"] == "acknowledged"
    assert opened.data["shared_data"] == {
        "reference": case.data["reference"],
        "given_name": "Aïcha",
        "age_band": "18-25",
    }
    assert opened.data["case"] is None
    assert staff.get(f"/api/v1/cases/{case_id}/").status_code == 404

    assert (
        staff.post(f"/api/v1/referrals/{rid}/accept/", {}, format="json").data["state"]
        == "accepted"
    )
    assert staff.post(f"/api/v1/referrals/{rid}/accept/", {}, format="json").status_code == 409
    assert (
        staff.post(f"/api/v1/referrals/{rid}/start/", {}, format="json").data["state"]
        == "in_progress"
    )
    bad = staff.post(f"/api/v1/referrals/{rid}/complete/", {"outcome": "provided"}, format="json")
    assert bad.status_code == 400
    assert "note" in bad.data
    done = staff.post(
        f"/api/v1/referrals/{rid}/complete/",
        {"outcome": "provided", "note": "Bed found"},
        format="json",
    )
    assert done.data["state"] == "completed"

    outbox = worker.get("/api/v1/referrals/?box=outbox")
    assert {r["id"]: r["outcome"] for r in outbox.data["results"]}[rid] == "provided"
    events = worker.get(f"/api/v1/referrals/{rid}/events/")
    assert [e["name"] for e in events.data] == [
        "created",
        "submitted",
        "acknowledged",
        "accepted",
        "started",
        "completed",
    ]

    assert outsider.get(f"/api/v1/referrals/{rid}/").status_code == 404
    assert outsider.get(f"/api/v1/cases/{case_id}/").status_code == 404
    assert rid not in [r["id"] for r in outsider.get("/api/v1/referrals/").data["results"]]
    assert AccessLog.objects.filter(referral_id=rid).exists()
    assert Referral.objects.get(pk=rid).assignee == demo["muni.staff"]
