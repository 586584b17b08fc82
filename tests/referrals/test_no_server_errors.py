"""Inputs that once answered 500 (issue 10): each now gets a client error with a JSON body, or
simply finds nothing, and writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from coordination.models import Meeting
from referrals.models import Referral
from tests.referrals.conftest import get

HUGE = "99999999999999999999"  # beyond 64 bits


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals/?page_size=0",
        "/api/v1/referrals/?page_size=201",
        "/api/v1/referrals/?page_size=abc",
        "/api/v1/notifications/?page_size=",
        "/api/v1/organisations/?page_size=1000",
        "/api/v1/meetings/?page_size=-1",
    ],
)
def test_a_page_size_out_of_bounds_is_a_400_with_the_field_named(world, url):
    response = get(world.sender_worker, url)
    assert response.status_code == 400, (url, response.status_code)
    assert set(response.json()) & {"page_size"}


def test_page_size_within_bounds_is_honoured(world):
    for index in range(3):
        world.case(given_name=f"P{index}")
    response = get(world.sender_worker, "/api/v1/cases/?page_size=2")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    assert get(world.sender_worker, "/api/v1/cases/?page_size=200").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/meetings/?group={HUGE}",
        f"/api/v1/action-items/?group={HUGE}",
        f"/api/v1/action-items/?meeting={HUGE}",
        f"/api/v1/referrals/?to_organisation={HUGE}",
        f"/api/v1/services/?organisation={HUGE}",
        f"/api/v1/referrals/{HUGE}/",
        f"/api/v1/cases/{HUGE}/",
        f"/api/v1/meetings/{HUGE}/ics/",
    ],
)
def test_ids_beyond_64_bits_find_nothing(world, url):
    response = get(world.sender_worker, url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)
    if response.status_code == 200:
        assert response.json()["results"] == []


def test_ids_beyond_64_bits_in_a_body_are_field_errors(world):
    case = world.case()
    before = Referral.objects.count()
    response = Client()
    response.force_login(world.sender_worker)
    answer = response.post(
        "/api/v1/referrals/",
        {
            "case": int(HUGE),
            "to_organisation": int(HUGE),
            "service_category": "food",
            "reason": "x",
        },
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert {"case", "to_organisation"} <= set(answer.json())
    assert Referral.objects.count() == before
    assert case.pk


def test_the_orm_drops_out_of_range_ids_on_every_backend(db):
    """The lookups of config.lookups, straight: through a foreign key and with ``__in``."""
    huge = int(HUGE)
    assert list(Meeting.objects.filter(group_id=huge)) == []
    assert list(Meeting.objects.filter(group_id__in=[huge])) == []
    assert list(Meeting.objects.filter(pk__in=[huge, -huge])) == []
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_a_page_that_does_not_exist_is_a_400_naming_page(world, page):
    response = get(world.sender_worker, f"/api/v1/organisations/?page={page}")
    assert response.status_code == 400
    assert "page" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/action-items/?mine=null",
        "/api/v1/meetings/?upcoming=null",
        "/api/v1/organisations/?is_verified=null",
        "/api/v1/referrals/?overdue=maybe",
        "/api/v1/referrals/?box=inbox&box=outbox",
        "/api/v1/organisations/?city=Sfax&city=Tunis",
    ],
)
def test_what_the_schema_forbids_in_a_query_is_a_400(world, url):
    """Not silently read as something else (issue 10: schemathesis found them accepted)."""
    response = get(world.sender_worker, url)
    assert response.status_code == 400, (url, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals/?organisation=987654",  # not one of yours: nothing of it to list
        "/api/v1/services/?organisation=987654",
        "/api/v1/organisations/?page=99",  # after the last page: an empty page
    ],
)
def test_valid_queries_that_match_nothing_are_empty_lists(world, url):
    response = get(world.sender_worker, url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "cursor",
    [
        "cD1hYmM=",  # base64 of "p=abc": a position that is no id (it was a 500)
        "%2Fw%3D%3D",  # base64 of 0xFF: not even text (DRF answered 404)
        "not-a-cursor",
    ],
)
def test_a_cursor_the_server_did_not_write_starts_from_the_first_page(world, cursor):
    world.case()
    first = get(world.sender_worker, "/api/v1/cases/").json()["results"]
    for url in ("/api/v1/cases/", "/api/v1/referrals/", "/api/v1/notifications/"):
        response = get(world.sender_worker, f"{url}?cursor={cursor}")
        assert response.status_code == 200, (url, cursor)
    assert get(world.sender_worker, f"/api/v1/cases/?cursor={cursor}").json()["results"] == first


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("comment/", {"comment": 0}, "comment"),  # a number is not text (DRF made it "0")
        ("comment/", {"comment": "\x1c\x1f "}, "comment"),  # spaces to Python, not to ECMA
        ("comment/", {"comment": "a\x00b"}, "comment"),
        ("withdraw/", {"reason": True}, "reason"),
    ],
)
def test_text_is_text_and_says_something(world, path, body, field):
    from tests.referrals.conftest import post

    referral = world.referral("submitted")
    response = post(world.sender_worker, f"/api/v1/referrals/{referral.pk}/{path}", body)
    assert response.status_code == 400, response.content
    assert field in response.json()
