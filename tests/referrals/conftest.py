"""The referral world: fixed personas in five organisations and a coordination group.

Cases and referrals are always made through the services, so that every test starts from rows
the product itself could have written (permissions granted, events logged, deadlines set).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coordination.models import CoordinationGroup
from organisations.models import OrganisationKind
from referrals import services
from referrals.models import Referral, State
from tests.factories import PASSWORD, MunicipalityFactory, OrganisationFactory, member

if TYPE_CHECKING:
    from organisations.models import Organisation
    from referrals.models import Case

CONSENTED = ["given_name", "age_band", "languages"]

# The transitions that lead to each state from a fresh draft (see World.advance for who fires
# each: the referral's sender, receiver_worker, or the coordinator for moderation).
PATHS: dict[str, list[str]] = {
    State.DRAFT: [],
    State.PENDING_MODERATION: ["submit"],  # from the unverified organisation
    State.REJECTED: ["submit", "reject"],  # idem
    State.SUBMITTED: ["submit"],
    State.ACKNOWLEDGED: ["submit", "acknowledge"],
    State.ACCEPTED: ["submit", "accept"],
    State.IN_PROGRESS: ["submit", "accept", "start"],
    State.ON_HOLD: ["submit", "accept", "hold"],
    State.COMPLETED: ["submit", "accept", "complete"],
    State.DECLINED: ["submit", "decline"],
    State.WITHDRAWN: ["submit", "withdraw"],
    State.EXPIRED: ["submit", "expire"],
}


@dataclass
class World:
    sender: Organisation
    sender_worker: Any
    sender_supervisor: Any
    sender_admin: Any
    receiver: Organisation
    receiver_worker: Any
    receiver_worker2: Any
    receiver_supervisor: Any
    third: Organisation
    third_worker: Any
    fourth: Organisation
    unverified: Organisation
    unverified_worker: Any
    international: Organisation
    coordinator: Any
    group: CoordinationGroup
    former: Any
    former_token: str

    # Cases and referrals, through the services -------------------------------------------------

    def case(
        self,
        *,
        actor: Any = None,
        consent_to: tuple[Organisation, ...] | None = None,
        fields: list[str] | None = None,
        **case_fields: Any,
    ) -> Case:
        """A case of the actor's organisation (the sender by default), with consents to share
        ``fields`` with each organisation of ``consent_to`` (the receiver by default)."""
        actor = actor or self.sender_worker
        organisation = self.owner_of(actor)
        values = {
            "given_name": "Amina",
            "age_band": "18-25",
            "sex": "female",
            "nationality": "Sudan",
            "languages": ["ar", "en"],
            "notes": "Confidential note: fled violence",
            "phone": "+216 20 000 000",
            **case_fields,
        }
        case = services.case_create(actor=actor, organisation=organisation, **values)
        recipients = (self.receiver,) if consent_to is None else consent_to
        for recipient in recipients:
            services.consent_record(
                case=case, actor=actor, recipient=recipient, fields=fields or CONSENTED
            )
        return case

    def owner_of(self, actor: Any) -> Organisation:
        for organisation, people in (
            (self.sender, (self.sender_worker, self.sender_supervisor)),
            (self.third, (self.third_worker,)),
            (self.unverified, (self.unverified_worker,)),
            (self.receiver, (self.receiver_worker, self.receiver_supervisor)),
        ):
            if actor in people:
                return organisation
        raise AssertionError(f"{actor} owns no cases in this world")

    def draft(
        self,
        *,
        case: Case | None = None,
        actor: Any = None,
        to: Organisation | None = None,
        category: str = "emergency_shelter",
        urgency: str = "normal",
    ) -> Referral:
        actor = actor or self.sender_worker
        to = to or self.receiver
        case = case or self.case(actor=actor, consent_to=(to,))
        return services.referral_create(
            actor=actor,
            case=case,
            to_organisation=to,
            service_category=category,
            urgency=urgency,
            reason="Needs a bed tonight",
        )

    def referral(self, state: str = State.SUBMITTED, **draft_options: Any) -> Referral:
        """A referral from the sender to the receiver (unless told otherwise) brought to
        ``state`` through the services; accepted ones are assigned to ``receiver_worker``."""
        referral = self.draft(**draft_options)
        return self.advance(referral, state)

    def advance(self, referral: Referral, state: str) -> Referral:
        sender = self._sender_for(referral)
        receiver = self.receiver_worker
        for step in PATHS[state]:
            rid = referral.pk
            if step == "submit":
                services.referral_submit(referral_id=rid, actor=sender)
            elif step == "reject":
                services.referral_reject(referral_id=rid, actor=self.coordinator, reason="No")
            elif step == "acknowledge":
                services.referral_open(referral_id=rid, actor=receiver)
            elif step == "accept":
                services.referral_accept(referral_id=rid, actor=receiver)
            elif step == "start":
                services.referral_start(referral_id=rid, actor=receiver)
            elif step == "hold":
                services.referral_hold(referral_id=rid, actor=receiver, expected_date=today_plus(7))
            elif step == "complete":
                services.referral_complete(
                    referral_id=rid, actor=receiver, outcome="provided", note="Bed found"
                )
            elif step == "decline":
                services.referral_decline(
                    referral_id=rid, actor=receiver, reason="no_capacity", note="No bed"
                )
            elif step == "withdraw":
                services.referral_withdraw(referral_id=rid, actor=sender, reason="Found a bed")
            elif step == "expire":
                Referral.objects.filter(pk=rid).update(expires_at=now_minus_seconds(1))
                services.referral_expire(referral_id=rid)
        referral = Referral.objects.get(pk=referral.pk)
        assert referral.state == state
        return referral

    def _sender_for(self, referral: Referral) -> Any:
        for person in (self.sender_worker, self.third_worker, self.unverified_worker):
            if self.owner_of(person).pk == referral.from_organisation_id:
                return person
        return self.receiver_worker


def today_plus(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def now_minus_seconds(seconds: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def obtain_token(username: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.data["token"]


def build_world() -> World:
    sender = OrganisationFactory(name="Sender CSO", is_verified=True)
    receiver = MunicipalityFactory(name="Receiving Municipality", is_verified=True)
    third = OrganisationFactory(name="Third CSO", is_verified=True)
    fourth = OrganisationFactory(name="Fourth CSO", is_verified=True)
    unverified = OrganisationFactory(name="Unverified CSO", is_verified=False)
    international = OrganisationFactory(
        name="International Office", kind=OrganisationKind.INTERNATIONAL
    )
    coordinator = member(international, "caseworker", username="io.coordinator")
    group = CoordinationGroup.objects.create(
        name="Test coordination", convening_organisation=receiver
    )
    group.members.add(sender, receiver, unverified)
    group.coordinators.add(coordinator)

    former = member(sender, "caseworker", username="s.former")
    token = obtain_token("s.former")
    # Deactivated the blunt way (the account only, groups kept): every check must look at
    # is_active, not merely at group membership.
    former.is_active = False
    former.save(update_fields=["is_active"])

    return World(
        sender=sender,
        sender_worker=member(sender, "caseworker", username="s.worker"),
        sender_supervisor=member(sender, "supervisor", username="s.supervisor"),
        sender_admin=member(sender, "admin", username="s.admin"),
        receiver=receiver,
        receiver_worker=member(receiver, "caseworker", username="r.worker"),
        receiver_worker2=member(receiver, "caseworker", username="r.worker2"),
        receiver_supervisor=member(receiver, "supervisor", username="r.supervisor"),
        third=third,
        third_worker=member(third, "caseworker", username="t.worker"),
        fourth=fourth,
        unverified=unverified,
        unverified_worker=member(unverified, "caseworker", username="u.worker"),
        international=international,
        coordinator=coordinator,
        group=group,
        former=former,
        former_token=token,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def client_for(user: Any = None) -> APIClient:
    """An API client signed in as the user (anonymous when None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def post(user: Any, url: str, data: Any = None):
    return client_for(user).post(url, data if data is not None else {}, format="json")


def patch(user: Any, url: str, data: Any):
    return client_for(user).patch(url, data, format="json")


def get(user: Any, url: str):
    return client_for(user).get(url)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.data["results"]]
