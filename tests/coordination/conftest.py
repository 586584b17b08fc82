"""The coordination world: fixed personas around one group, made through the services.

- ``municipality`` convenes the group; ``cso`` and ``office`` (the coordinator's international
  organisation) are members; ``outside`` is not.
- ``coordinator`` (caseworker at the office) coordinates the group.
- ``member_worker`` and ``member_supervisor`` work at the CSO; ``muni_worker`` at the
  municipality; ``outsider`` at the organisation outside the group.
- ``former`` worked at the CSO; their account was closed the blunt way (groups kept), so every
  check must look at ``is_active``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from coordination import services
from coordination.models import CoordinationGroup, Meeting
from organisations.models import Organisation, OrganisationKind
from tests.factories import PASSWORD, MunicipalityFactory, OrganisationFactory, member

UTC = datetime.UTC
# Monday 2 March 2026, 09:00 UTC (10:00 in Tunis): the first Tuesday of March is tomorrow.
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

PERSONAS = [
    "anonymous",
    "coordinator",
    "member_worker",
    "member_supervisor",
    "outsider",
    "former",
]


@dataclass
class World:
    municipality: Organisation
    cso: Organisation
    office: Organisation
    outside: Organisation
    coordinator: Any
    member_worker: Any
    member_supervisor: Any
    muni_worker: Any
    outsider: Any
    former: Any
    former_token: str
    group: CoordinationGroup
    other_group: CoordinationGroup

    def meeting(self, **options: Any) -> Meeting:
        """A meeting of the group scheduled by the coordinator (monthly, first Tuesday 10:00
        Tunis, from 3 March 2026, unless told otherwise)."""
        values = {
            "title": "Monthly coordination",
            "start": datetime.datetime(2026, 3, 3, 10, 0),  # noqa: DTZ001 - wall time
            "rrule": "FREQ=MONTHLY;BYDAY=1TU",
            "place": "City hall",
            **options,
        }
        group = values.pop("group", self.group)
        actor = values.pop("actor", self.coordinator)
        return services.meeting_schedule(actor=actor, group=group, **values)


def obtain_token(username: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.data["token"]


def build_world() -> World:
    municipality = MunicipalityFactory(name="City of Testville")
    cso = OrganisationFactory(name="Helping Hands")
    office = OrganisationFactory(name="Migration Office", kind=OrganisationKind.INTERNATIONAL)
    outside = OrganisationFactory(name="Faraway Aid", city="Tunis")
    coordinator = member(office, "caseworker", username="coordinator")
    group = services.group_create(
        actor=None,
        name="Testville coordination",
        convening_organisation=municipality,
        members=[cso, office],
        coordinators=[coordinator],
    )
    # Another group the CSO takes no part in, coordinated by someone else.
    other_coordinator = member(outside, "supervisor", username="other.coordinator")
    other_group = services.group_create(
        actor=None,
        name="Faraway coordination",
        convening_organisation=outside,
        coordinators=[other_coordinator],
    )
    former = member(cso, "caseworker", username="former")
    token = obtain_token("former")
    former.is_active = False
    former.save(update_fields=["is_active"])
    return World(
        municipality=municipality,
        cso=cso,
        office=office,
        outside=outside,
        coordinator=coordinator,
        member_worker=member(cso, "caseworker", username="member.worker"),
        member_supervisor=member(cso, "supervisor", username="member.supervisor"),
        muni_worker=member(municipality, "caseworker", username="muni.worker"),
        outsider=member(outside, "caseworker", username="outsider"),
        former=former,
        former_token=token,
        group=group,
        other_group=other_group,
    )


@pytest.fixture(autouse=True)
def _clock():
    """Every coordination test runs on Monday 2 March 2026, 10:00 in Tunis, unless it travels."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db) -> World:
    with time_machine.travel(NOW - datetime.timedelta(days=7), tick=False):
        return build_world()


@pytest.fixture
def at():
    """``with at(moment):`` freezes the clock."""

    def travel(moment: datetime.datetime):
        return time_machine.travel(moment, tick=False)

    return travel


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def token_api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def browser(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def persona_api(world: World, persona: str) -> APIClient:
    if persona == "anonymous":
        return api()
    if persona == "former":
        return token_api(world.former_token)
    return api(getattr(world, persona))


def persona_browser(world: World, persona: str) -> Client:
    if persona == "anonymous":
        return browser()
    return browser(getattr(world, persona))  # the former user: a session from before closing


def written() -> None:
    """What a worker does once the request has committed: write the notifications it decided
    (``notifications.services.notify_later``; the test's transaction never commits)."""
    from notifications.models import PendingNotice
    from notifications.services import notice_write

    for pk in (
        PendingNotice.objects.filter(done_at=None).order_by("pk").values_list("pk", flat=True)
    ):
        notice_write(notice_id=pk)
