"""Sign-in protection that an attacker cannot turn against a victim (issue: trust hardening,
item 6): lock-out by username *and* client address, the address read correctly behind the
reverse proxy, the token endpoint under the same lock-out, and an idle timeout."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from config.client import client_address
from tests.factories import PASSWORD

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _lockouts(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1


def sign_in(client_ip: str, username: str, password: str) -> int:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{client_ip}")
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code


def token(client_ip: str, username: str, password: str) -> int:
    client = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{client_ip}")
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    ).status_code


def test_the_client_is_the_address_the_trusted_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_address(request) == "203.0.113.9"  # the client's own claim (6.6.6.6) ignored
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == PROXY


def test_an_attacker_cannot_lock_a_victim_out(alice):
    for _ in range(4):
        assert sign_in("198.51.100.7", "alice", "wrong-password") != 302
    # Locked for the attacker's address...
    assert sign_in("198.51.100.7", "alice", PASSWORD) != 302
    # ...not for Alice, coming through the same proxy from her own address.
    assert sign_in("203.0.113.20", "alice", PASSWORD) == 302


def test_the_token_endpoint_is_under_the_same_lock_out(alice):
    for _ in range(4):
        assert token("198.51.100.8", "alice", "wrong-password") in (400, 403, 429)
    assert token("198.51.100.8", "alice", PASSWORD) != 200
    assert token("203.0.113.21", "alice", PASSWORD) == 200


def test_an_idle_session_is_signed_out(alice, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client = Client()
    start = datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(alice)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=9), tick=False):
        assert client.get("/").status_code == 200  # active: the clock starts again
    with time_machine.travel(start + datetime.timedelta(minutes=18), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_locked_out_person_is_told_what_happened(alice):
    for _ in range(4):
        sign_in("198.51.100.9", "alice", "wrong-password")
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")
    page = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert page.status_code == 429
    assert "Try again in 30 minutes" in page.content.decode()
    api = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")
    response = api.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "Try again in 30 minutes" in response.json()["detail"]


def test_a_guess_spread_over_many_addresses_meets_the_account_ceiling(alice, settings):
    settings.AXES_ACCOUNT_FAILURE_CEILING = 6
    for number in range(6):
        assert sign_in(f"198.51.100.{number + 10}", "alice", "wrong-password") != 302
    # No single address reached the limit of three, but the account as a whole did.
    assert sign_in("203.0.113.30", "alice", PASSWORD) == 429
    assert token("203.0.113.31", "alice", PASSWORD) == 429
