"""API tokens have a life cycle (issue: trust hardening, item 5): stored hashed, expiring,
several per person with a name, revoked by signing out through the API, and all at once on a
password change or a deactivation. The contract stays: ``POST /api/v1/auth/token/`` answers
``{"token": ...}`` and ``Authorization: Token <token>`` authenticates."""

from __future__ import annotations

import datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from organisations.models import ApiToken
from tests.factories import PASSWORD


def issue(name: str = "") -> str:
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": PASSWORD, "name": name},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def works(token: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/organisations/").status_code == 200


def test_tokens_are_stored_hashed_named_and_several(alice):
    first, second = issue("KoboToolbox export"), issue("Municipal case system")
    assert works(first)
    assert works(second)
    names = set(ApiToken.objects.filter(user=alice).values_list("name", flat=True))
    assert names == {"KoboToolbox export", "Municipal case system"}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        stored = repr(cursor.fetchall())
    assert first not in stored
    assert second not in stored


def test_a_token_expires(alice, settings):
    token = issue()
    expiry = ApiToken.objects.get(user=alice).expiry
    assert expiry is not None
    assert abs((expiry - timezone.now()) - datetime.timedelta(days=30)) < datetime.timedelta(
        minutes=1
    )
    with time_machine.travel(expiry + datetime.timedelta(minutes=1)):
        assert not works(token)


def test_signing_out_revokes_the_token_used_or_all(alice):
    first, second, third = issue("a"), issue("b"), issue("c")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert not works(first)
    assert works(second)
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.post("/api/v1/auth/logout-all/").status_code == 204
    assert not works(second)
    assert not works(third)


def test_a_password_change_revokes_every_token(alice):
    token = issue()
    alice.set_password("another-Long-pass-2026")
    alice.save()
    assert not works(token)


def test_a_password_change_on_the_web_revokes_every_token(alice, client):
    token = issue()
    client.force_login(alice)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-Long-pass-2026",
            "new_password2": "another-Long-pass-2026",
        },
    )
    assert response.status_code == 302
    assert not works(token)


def test_deactivation_revokes_every_token(alice):
    token = issue()
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    assert not works(token)


def test_signing_in_again_keeps_other_tokens(alice):
    token = issue()
    alice.save(update_fields=["last_login"])
    assert works(token)


def test_the_schema_documents_the_token_endpoints(alice):
    client = APIClient()
    client.force_authenticate(alice)
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert "/api/v1/auth/token/" in paths
    assert "/api/v1/auth/logout/" in paths
    assert "/api/v1/auth/logout-all/" in paths
    response = paths["/api/v1/auth/token/"]["post"]["responses"]["200"]
    schema = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"][
        schema
    ]["properties"]
    assert {"token", "expiry", "name"} <= set(properties)


def test_a_request_reads_its_own_token_only_and_expired_ones_go_at_the_next_sign_in(alice):
    """knox swept all of a person's tokens on every API request (a query and a loop) to delete
    the expired ones; they now go when the person signs in again (issue 13)."""
    old, current = issue("old"), issue("current")
    expiry = ApiToken.objects.get(user=alice, name="old").expiry
    ApiToken.objects.filter(user=alice, name="old").update(
        expiry=timezone.now() - datetime.timedelta(minutes=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {current}")
    client.get("/api/v1/organisations/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/organisations/").status_code == 200
    token_reads = [
        q["sql"] for q in queries.captured_queries if ApiToken._meta.db_table in q["sql"]
    ]
    assert len(token_reads) == 1
    assert not works(old)  # refused, and deleted, as knox does with the token presented
    assert not ApiToken.objects.filter(user=alice, name="old").exists()

    ApiToken.objects.filter(user=alice, name="current").update(expiry=expiry)
    issue("gone")
    ApiToken.objects.filter(user=alice, name="gone").update(
        expiry=timezone.now() - datetime.timedelta(minutes=1)
    )
    issue("new")  # signing in clears what expired
    assert set(ApiToken.objects.filter(user=alice).values_list("name", flat=True)) == {
        "current",
        "new",
    }
