"""The referral form shows the agreed pathway for the kind of help asked, the step the person
has reached and a service to suggest for it (not a full one)."""

from __future__ import annotations

from django.test import Client

from coordination import services as coordination_services
from coordination.permissions import group_sync
from organisations.models import CapacityStatus
from referrals.models import State
from tests.factories import ServiceFactory


def get(user, url: str):
    client = Client()
    client.force_login(user)
    return client.get(url)


def shelter_pathway(world):
    group_sync(world.group)
    hotline = ServiceFactory(
        organisation=world.receiver, category="emergency_shelter", name="Night shelter"
    )
    full = ServiceFactory(
        organisation=world.receiver,
        category="food",
        name="Canteen",
        capacity_status=CapacityStatus.FULL,
    )
    meals = ServiceFactory(organisation=world.receiver, category="food", name="Food parcels")
    pathway = coordination_services.pathway_create(
        actor=world.coordinator,
        group=world.group,
        category="emergency_shelter",
        city="Sfax",
        title="A bed tonight",
        steps=[
            {"title": "A bed", "services": [hotline]},
            {"title": "A meal", "services": [full, meals]},
        ],
    )
    return pathway, hotline, meals


def test_the_form_shows_the_pathway_and_suggests_the_first_step(world):
    pathway, hotline, _meals = shelter_pathway(world)
    case = world.case()

    page = get(world.sender_worker, f"/cases/{case.pk}/refer/?pathway={pathway.pk}")

    body = page.content.decode()
    assert page.status_code == 200
    assert "A bed tonight" in body
    assert f"?service={hotline.pk}&amp;pathway={pathway.pk}" in body
    assert "Suggested next: <bdi>Night shelter</bdi>" in body


def test_once_a_step_is_referred_the_next_open_service_is_suggested(world):
    pathway, hotline, _meals = shelter_pathway(world)
    case = world.case()
    referral = world.referral(State.SUBMITTED, case=case, category="emergency_shelter")
    referral.service = hotline
    referral.save(update_fields=["service"])

    body = get(
        world.sender_worker, f"/cases/{case.pk}/refer/?pathway={pathway.pk}"
    ).content.decode()

    assert "Suggested next: <bdi>Food parcels</bdi>" in body  # the canteen is full


def test_a_pathway_of_a_group_the_user_is_not_in_is_not_offered(world):
    pathway, _hotline, _meals = shelter_pathway(world)
    case = world.case(actor=world.third_worker, consent_to=(world.fourth,))

    body = get(world.third_worker, f"/cases/{case.pk}/refer/?pathway={pathway.pk}").content.decode()

    assert "A bed tonight" not in body
