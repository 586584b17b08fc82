"""Pages and API answers with case or referral data are never stored by a browser or proxy."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.referrals.conftest import World


@pytest.mark.parametrize(
    "path",
    ["/", "/cases/", "/referrals/", "/api/v1/cases/", "/api/v1/referrals/", "/insight/referrals/"],
)
def test_pages_and_api_answers_are_never_stored(world: World, path):
    client = Client()
    client.force_login(world.sender_supervisor)
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_case_page_and_a_referral_page_are_never_stored(world: World):
    referral = world.referral()
    client = Client()
    client.force_login(world.receiver_worker)
    assert "no-store" in client.get(f"/referrals/{referral.pk}/")["Cache-Control"]
    client.force_login(world.sender_worker)
    assert "no-store" in client.get(f"/cases/{referral.case_id}/")["Cache-Control"]
    api = APIClient()
    api.force_authenticate(world.sender_worker)
    assert "no-store" in api.get(f"/api/v1/referrals/{referral.pk}/")["Cache-Control"]
    assert "no-store" in api.get(f"/api/v1/referrals/{referral.pk}/events/")["Cache-Control"]
