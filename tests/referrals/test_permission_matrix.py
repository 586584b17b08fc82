"""Every case and referral route × every persona × every kind of object: zero leaks.

A persona gets 200 only on objects of an organisation it is party to; everything else is 404
(exactly as for a missing object), lists never contain it, and signed-out or deactivated
callers get 401. Each request runs in a savepoint that is rolled back, so that every persona
meets the same world and the whole matrix needs only one world per route.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from referrals.models import Case, Referral, State
from tests.factories import UserFactory
from tests.referrals.conftest import World, token_client

PERSONAS = [
    "anonymous",
    "sender_worker",
    "sender_supervisor",
    "sender_admin",
    "receiver_worker",
    "receiver_supervisor",
    "third_worker",
    "coordinator",
    "superuser",
    "former_token",  # a real token obtained before the account was deactivated
    "former_session",  # a session opened before the account was deactivated
    "former_forced",  # authentication forced past DRF: the checks below must still hold
]
SIGNED_OUT = {"anonymous", "former_token", "former_session"}


@dataclass
class Objects:
    case: Case
    foreign_case: Case
    draft: Referral
    submitted: Referral
    accepted: Referral
    foreign: Referral
    superuser: Any


@pytest.fixture
def objects(world: World) -> Objects:
    case = world.case()
    foreign_case = world.case(actor=world.third_worker, consent_to=(world.fourth,))
    return Objects(
        case=case,
        foreign_case=foreign_case,
        draft=world.referral(State.DRAFT, case=case, category="food"),
        submitted=world.referral(State.SUBMITTED, case=case, category="health"),
        # Assigned to receiver_worker.
        accepted=world.referral(State.ACCEPTED, case=case, category="legal_aid"),
        # Between two organisations none of the sender's or receiver's staff belong to.
        foreign=world.referral(
            State.SUBMITTED, case=foreign_case, actor=world.third_worker, to=world.fourth
        ),
        superuser=UserFactory(username="platform.root", is_superuser=True, is_staff=True),
    )


def client_as(persona: str, world: World, objects: Objects) -> APIClient:
    client = APIClient()
    if persona == "anonymous":
        return client
    if persona == "former_token":
        return token_client(world.former_token)
    if persona == "former_session":
        client.force_login(world.former)
        return client
    if persona == "former_forced":
        client.force_authenticate(world.former)
        return client
    if persona == "superuser":
        client.force_authenticate(objects.superuser)
        return client
    client.force_authenticate(getattr(world, persona))
    return client


def side(persona: str, obj: Case | Referral) -> str | None:
    """Which side of the object the persona is on (None: not party to it)."""
    senders = {"sender_worker", "sender_supervisor"}
    receivers = {"receiver_worker", "receiver_supervisor"}
    if isinstance(obj, Case):
        owners = senders if obj.owner.name == "Sender CSO" else {"third_worker"}
        return "owner" if persona in owners else None
    if obj.from_organisation.name == "Third CSO":
        return "sender" if persona == "third_worker" else None
    if persona in senders:
        return "sender"
    if persona in receivers and obj.state != State.DRAFT:
        return "receiver"
    return None


def future() -> str:
    return (timezone.localdate() + datetime.timedelta(days=3)).isoformat()


# What a party gets, by route, state and side. Anything not listed here for a party is a test
# bug (KeyError), and every non-party gets 404.
S, R = "sender", "receiver"
D, SUB, ACC = State.DRAFT, State.SUBMITTED, State.ACCEPTED
ALL_200 = {(D, S): 200, (SUB, S): 200, (ACC, S): 200, (SUB, R): 200, (ACC, R): 200}
ALL_409 = {(D, S): 409, (SUB, S): 409, (ACC, S): 409, (SUB, R): 409, (ACC, R): 409}
ANSWER = {(D, S): 409, (SUB, S): 403, (ACC, S): 409, (SUB, R): 200, (ACC, R): 409}
IN_CARE = {(D, S): 409, (SUB, S): 409, (ACC, S): 403, (SUB, R): 409, (ACC, R): 200}

REFERRAL_ROUTES: dict[str, tuple[str, str, dict, dict]] = {
    # name: (method, path suffix, body, expected for parties)
    "retrieve": ("get", "", {}, ALL_200),
    "events": ("get", "events/", {}, ALL_200),
    "comment": ("post", "comment/", {"comment": "Any news?"}, dict.fromkeys(ALL_200, 201)),
    "patch": (
        "patch",
        "",
        {"reason": "Updated reason"},
        {(D, S): 200, (SUB, S): 409, (ACC, S): 409, (SUB, R): 403, (ACC, R): 403},
    ),
    "submit": ("post", "submit/", {}, {**ALL_409, (D, S): 200}),
    "approve": ("post", "approve/", {}, ALL_409),
    "reject": ("post", "reject/", {"reason": "No"}, ALL_409),
    "accept": ("post", "accept/", {}, ANSWER),
    "decline": ("post", "decline/", {"reason": "no_capacity", "note": "Full"}, ANSWER),
    "start": ("post", "start/", {}, IN_CARE),
    "hold": ("post", "hold/", {"expected_date": "future"}, IN_CARE),
    "resume": ("post", "resume/", {}, ALL_409),
    "complete": ("post", "complete/", {"outcome": "provided", "note": "Done"}, IN_CARE),
    "withdraw": (
        "post",
        "withdraw/",
        {"reason": "Moved away"},
        {(D, S): 200, (SUB, S): 200, (ACC, S): 200, (SUB, R): 403, (ACC, R): 403},
    ),
}


def _in_savepoint(call):
    """Run one request and undo whatever it wrote."""
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


def _leaks(response) -> list[str]:
    """Personal data that must never reach a receiver: the case record and unconsented fields."""
    body = response.content.decode()
    return [secret for secret in ("Confidential note", "+216 20", "Sudan") if secret in body]


@pytest.mark.parametrize("route", list(REFERRAL_ROUTES))
def test_referral_routes(world, objects, route):
    method, suffix, body, expected_for_party = REFERRAL_ROUTES[route]
    if body.get("expected_date") == "future":
        body = {**body, "expected_date": future()}
    problems = []
    for name in ("draft", "submitted", "accepted", "foreign"):
        referral: Referral = getattr(objects, name)
        path = f"/api/v1/referrals/{referral.pk}/{suffix}"
        for persona in PERSONAS:
            client = client_as(persona, world, objects)
            response = _in_savepoint(
                lambda client=client, path=path: getattr(client, method)(path, body, format="json")
            )
            party = side(persona, referral)
            if persona in SIGNED_OUT:
                expected = 401
            elif party is None:
                expected = 404
            else:
                expected = expected_for_party[(referral.state, party)]
            if response.status_code != expected:
                problems.append(
                    f"{route} {name} as {persona}: {response.status_code} != {expected}"
                )
            if response.status_code in (200, 201) and party != "sender" and _leaks(response):
                problems.append(f"{route} {name} as {persona} leaks {_leaks(response)}")
            receiver_reads = response.status_code == 200 and party == "receiver"
            if receiver_reads and route == "retrieve" and response.data["case"] is not None:
                problems.append(f"{route} {name} as {persona}: the receiver got the case")
    assert problems == []


CASE_ROUTES = {
    "retrieve": ("get", "", {}, 200),
    "patch": ("patch", "", {"nationality": "Mali"}, 200),
    "consents": ("post", "consents/", {"fields": ["sex"]}, 201),
    "consent-withdraw": ("post", "consents/{consent}/withdraw/", {}, 200),
}


@pytest.mark.parametrize("route", list(CASE_ROUTES))
def test_case_routes(world, objects, route):
    method, suffix, body, expected_for_owner = CASE_ROUTES[route]
    problems = []
    for name in ("case", "foreign_case"):
        case: Case = getattr(objects, name)
        consent = case.consents.first()
        path = f"/api/v1/cases/{case.pk}/" + suffix.format(consent=consent.pk)
        data = body
        if route == "consents":
            data = {**body, "recipient": world.international.pk}
        for persona in PERSONAS:
            client = client_as(persona, world, objects)
            response = _in_savepoint(
                lambda client=client, path=path, data=data: getattr(client, method)(
                    path, data, format="json"
                )
            )
            if persona in SIGNED_OUT:
                expected = 401
            elif side(persona, case) is None:
                expected = 404
            else:
                expected = expected_for_owner
            if response.status_code != expected:
                problems.append(
                    f"{route} {name} as {persona}: {response.status_code} != {expected}"
                )
    assert problems == []


def test_case_routes_answer_404_for_a_case_that_does_not_exist(world, objects):
    client = client_as("sender_supervisor", world, objects)
    missing = Case.objects.order_by("-pk").first().pk + 1000
    consent = objects.case.consents.first().pk

    assert client.get(f"/api/v1/cases/{missing}/").status_code == 404
    assert client.patch(f"/api/v1/cases/{missing}/", {}, format="json").status_code == 404
    assert client.post(f"/api/v1/cases/{missing}/consents/", {}, format="json").status_code == 404
    withdraw = f"/api/v1/cases/{missing}/consents/{consent}/withdraw/"
    assert client.post(withdraw, {}, format="json").status_code == 404
    missing_consent = f"/api/v1/cases/{objects.case.pk}/consents/999999/withdraw/"
    assert client.post(missing_consent, {}, format="json").status_code == 404


# Lists: exactly the persona's own objects, never another organisation's.


def expected_lists(objects: Objects) -> dict[str, dict[str, set[int]]]:
    own = {objects.draft.pk, objects.submitted.pk, objects.accepted.pk}
    received = {objects.submitted.pk, objects.accepted.pk}
    sender = {
        "/api/v1/cases/": {objects.case.pk},
        "/api/v1/referrals/": own,
        "/api/v1/referrals/?box=outbox": own,
    }
    receiver = {
        "/api/v1/referrals/": received,
        "/api/v1/referrals/?box=inbox": received,
    }
    third = {
        "/api/v1/cases/": {objects.foreign_case.pk},
        "/api/v1/referrals/": {objects.foreign.pk},
        "/api/v1/referrals/?box=outbox": {objects.foreign.pk},
    }
    return {
        "sender_worker": sender,
        "sender_supervisor": sender,
        "receiver_worker": receiver,
        "receiver_supervisor": receiver,
        "third_worker": third,
    }


LISTS = [
    "/api/v1/cases/",
    "/api/v1/referrals/",
    "/api/v1/referrals/?box=inbox",
    "/api/v1/referrals/?box=outbox",
    "/api/v1/referrals/?box=moderation",
    "/api/v1/referrals/?state=submitted",
    "/api/v1/referrals/?box=inbox&overdue=false",
]


def test_lists_hold_exactly_the_personas_own_objects(world, objects):
    expectations = expected_lists(objects)
    problems = []
    for url in LISTS:
        for persona in PERSONAS:
            response = client_as(persona, world, objects).get(url)
            if persona in SIGNED_OUT:
                if response.status_code != 401:
                    problems.append(f"{url} as {persona}: {response.status_code} != 401")
                continue
            if response.status_code != 200:
                problems.append(f"{url} as {persona}: {response.status_code}")
                continue
            got = {row["id"] for row in response.data["results"]}
            base = url.split("&")[0]
            if base == "/api/v1/referrals/?state=submitted":
                wanted = expectations.get(persona, {}).get("/api/v1/referrals/", set())
                wanted = {pk for pk in wanted if Referral.objects.get(pk=pk).state == "submitted"}
            else:
                wanted = expectations.get(persona, {}).get(base, set())
            if got != wanted:
                problems.append(f"{url} as {persona}: {sorted(got)} != {sorted(wanted)}")
    assert problems == []


CREATES = [
    ("/api/v1/cases/", "case"),
    ("/api/v1/referrals/", "referral"),
]


def test_creating_answers_by_persona(world, objects):
    """Anyone with a case role may register a case for their organisation; a referral only
    from a case of one's own organisation (another's case is simply not a valid choice)."""
    expected_case = {
        "sender_worker": 201,
        "sender_supervisor": 201,
        "receiver_worker": 201,
        "receiver_supervisor": 201,
        "third_worker": 201,
        "coordinator": 201,  # a caseworker of the international organisation
        "sender_admin": 400,  # no case role: no organisation to own it
        "superuser": 400,
        "former_forced": 400,
    }
    referral_body = {
        "case": objects.case.pk,
        "to_organisation": world.third.pk,
        "service_category": "education",
        "reason": "School enrolment",
    }
    problems = []
    for persona in PERSONAS:
        client = client_as(persona, world, objects)
        cases = _in_savepoint(
            lambda client=client: client.post(
                "/api/v1/cases/", {"given_name": "New"}, format="json"
            )
        )
        referrals_before = Referral.objects.count()
        referral = _in_savepoint(
            lambda client=client: client.post("/api/v1/referrals/", referral_body, format="json")
        )
        assert Referral.objects.count() == referrals_before
        wanted_case = 401 if persona in SIGNED_OUT else expected_case[persona]
        wanted_referral = (
            401
            if persona in SIGNED_OUT
            else 201
            if persona in ("sender_worker", "sender_supervisor")
            else 400
        )
        if cases.status_code != wanted_case:
            problems.append(f"POST cases as {persona}: {cases.status_code} != {wanted_case}")
        if referral.status_code != wanted_referral:
            problems.append(f"POST referrals as {persona}: {referral.status_code}")
        elif wanted_referral == 400 and "case" not in referral.data:
            problems.append(f"POST referrals as {persona}: {referral.data}")
    assert problems == []


def test_a_case_cannot_be_moved_to_another_organisation(world, objects):
    client = client_as("sender_worker", world, objects)

    response = client.patch(
        f"/api/v1/cases/{objects.case.pk}/", {"organisation": world.third.pk}, format="json"
    )

    assert response.status_code == 400
    assert "organisation" in response.data
    objects.case.refresh_from_db()
    assert objects.case.owner == world.sender


def test_a_superuser_who_is_not_a_member_sees_no_personal_data(world, objects):
    client = client_as("superuser", world, objects)

    assert client.get("/api/v1/cases/").data["results"] == []
    assert client.get("/api/v1/referrals/").data["results"] == []
    for box in ("inbox", "outbox", "moderation"):
        assert client.get(f"/api/v1/referrals/?box={box}").data["results"] == []
    for case in (objects.case, objects.foreign_case):
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    for referral in (objects.draft, objects.submitted, objects.accepted, objects.foreign):
        assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
        assert client.get(f"/api/v1/referrals/{referral.pk}/events/").status_code == 404


def test_a_deactivated_users_token_stops_working(world, objects):
    from tests.referrals.conftest import obtain_token

    # Deactivation revoked the token: reactivating the account does not bring it back.
    world.former.is_active = True
    world.former.save(update_fields=["is_active"])
    assert token_client(world.former_token).get("/api/v1/referrals/").status_code == 401
    client = token_client(obtain_token("s.former"))
    assert client.get("/api/v1/referrals/").status_code == 200
    assert objects.submitted.pk in {
        r["id"] for r in client.get("/api/v1/referrals/").data["results"]
    }

    world.former.is_active = False
    world.former.save(update_fields=["is_active"])

    assert client.get("/api/v1/referrals/").status_code == 401
    assert client.get(f"/api/v1/referrals/{objects.submitted.pk}/").status_code == 401
    assert client.get("/api/v1/cases/").status_code == 401
