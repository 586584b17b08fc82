"""The web pages of cases and referrals: a permission matrix with zero leaks, and lists whose
query count does not grow with their length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from referrals.models import Referral, ReferralEvent, State
from tests.referrals.conftest import World

SECRET_NAME = "Zaynab"
SECRET_NOTE = "Only-the-owner-may-read-this"

PERSONAS = [
    "anonymous",
    "sender_worker",
    "sender_supervisor",
    "sender_admin",
    "receiver_worker",
    "receiver_supervisor",
    "third_worker",
    "coordinator",
    "former",
]
CASE_READERS = {"sender_worker", "sender_supervisor"}
REFERRAL_READERS = CASE_READERS | {"receiver_worker", "receiver_supervisor"}
SIGNED_OUT = {"anonymous", "former"}


def browser(world: World, persona: str) -> Client:
    client = Client()
    if persona == "former":
        client.force_login(world.former)  # a session from before the account was closed
    elif persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client


@pytest.fixture
def objects(world):
    case = world.case(given_name=SECRET_NAME, notes=SECRET_NOTE)
    received = world.referral(State.SUBMITTED, case=case)
    foreign_case = world.case(
        actor=world.third_worker, consent_to=(world.fourth,), given_name="Foreigner"
    )
    foreign = world.draft(case=foreign_case, actor=world.third_worker, to=world.fourth)
    world.advance(foreign, State.SUBMITTED)
    consent = case.consents.first()
    return {"case": case, "referral": received, "foreign": foreign, "consent": consent}


def get_routes(objects):
    case, referral, foreign = objects["case"], objects["referral"], objects["foreign"]
    return [
        (f"/cases/{case.pk}/", CASE_READERS),
        (f"/cases/{case.pk}/edit/", CASE_READERS),
        (f"/cases/{case.pk}/refer/", CASE_READERS),
        (f"/referrals/{referral.pk}/", REFERRAL_READERS),
        (f"/cases/{foreign.case_id}/", {"third_worker"}),
        (f"/referrals/{foreign.pk}/", {"third_worker"}),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_of_a_case_and_its_referral_show_only_to_its_parties(world, objects, persona):
    client = browser(world, persona)
    for url, readers in get_routes(objects):
        response = client.get(url)
        if persona in SIGNED_OUT:
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
        elif persona in readers:
            assert response.status_code == 200, (persona, url)
        else:
            assert response.status_code == 404, (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_never_show_what_the_persona_may_not_see(world, objects, persona):
    client = browser(world, persona)
    for url in (
        "/cases/",
        "/referrals/?box=inbox",
        "/referrals/?box=outbox",
        "/referrals/?box=moderation",
    ):
        response = client.get(url)
        if persona in SIGNED_OUT:
            assert response.status_code == 302
            continue
        assert response.status_code == 200
        body = response.content.decode()
        if persona not in REFERRAL_READERS:
            assert SECRET_NAME not in body, (persona, url)
        assert SECRET_NOTE not in body, (persona, url)


@pytest.mark.parametrize(
    "persona", ["third_worker", "coordinator", "sender_admin", "former", "anonymous"]
)
@pytest.mark.parametrize(
    "action",
    [
        "accept",
        "decline",
        "start",
        "hold",
        "resume",
        "complete",
        "withdraw",
        "comment",
        "assign",
        "approve",
        "reject",
    ],
)
def test_outsiders_cannot_act_on_a_referral(world, objects, persona, action):
    referral = objects["referral"]
    events = ReferralEvent.objects.filter(referral=referral).count()

    response = browser(world, persona).post(
        f"/referrals/{referral.pk}/{action}/",
        {
            "reason": "other",
            "note": "x",
            "comment": "x",
            "outcome": "provided",
            "expected_date": "2099-01-01",
        },
    )

    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
    assert Referral.objects.get(pk=referral.pk).state == State.SUBMITTED
    assert ReferralEvent.objects.filter(referral=referral).count() == events


@pytest.mark.parametrize(
    "persona", ["receiver_worker", "third_worker", "coordinator", "sender_admin"]
)
def test_only_the_owner_records_or_withdraws_consent(world, objects, persona):
    case, consent = objects["case"], objects["consent"]
    client = browser(world, persona)

    created = client.post(
        f"/cases/{case.pk}/consents/", {"recipient": world.third.pk, "fields": ["given_name"]}
    )
    withdrawn = client.post(f"/cases/{case.pk}/consents/{consent.pk}/withdraw/")

    assert (created.status_code, withdrawn.status_code) == (404, 404)
    assert case.consents.count() == 1
    consent.refresh_from_db()
    assert consent.is_active


def test_the_receiver_sees_the_consented_fields_only(world, objects):
    response = browser(world, "receiver_worker").get(f"/referrals/{objects['referral'].pk}/")

    body = response.content.decode()
    assert SECRET_NAME in body
    assert SECRET_NOTE not in body
    assert "+216 20 000 000" not in body  # the phone was not consented


def test_the_access_log_page_is_for_supervisors(world, objects):
    world.referral(State.ACKNOWLEDGED, case=objects["case"])
    assert browser(world, "sender_supervisor").get("/cases/access-log/").status_code == 200
    assert browser(world, "sender_worker").get("/cases/access-log/").status_code == 404
    page = browser(world, "sender_supervisor").get("/cases/access-log/").content.decode()
    assert "r.worker" in page or world.receiver_worker.get_full_name() in page


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_lists_keep_a_constant_number_of_queries(world):
    sender, receiver = Client(), Client()
    sender.force_login(world.sender_worker)
    receiver.force_login(world.receiver_worker)
    urls = [
        (sender, "/cases/"),
        (sender, "/referrals/?box=outbox"),
        (receiver, "/referrals/?box=inbox"),
    ]

    for _ in range(5):
        world.referral(State.SUBMITTED)
    few = [count_queries(client, url) for client, url in urls]
    for _ in range(40):
        world.referral(State.SUBMITTED)
    many = [count_queries(client, url) for client, url in urls]

    assert few == many
