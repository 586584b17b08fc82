"""The web directories of organisations and services: filters, visibility, query count."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import CapacityStatus, OrganisationKind, ServiceCategory
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ServiceFactory,
)

DIRECTORY = "/organisations/"
SERVICES = "/organisations/services/"

pytestmark = pytest.mark.django_db


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {obj.name for obj in response.context["page"]}


@pytest.fixture
def world(db):
    """Five organisations in three cities, with services of different kinds and capacity."""
    shelter = OrganisationFactory(
        name="Safe Harbour", city="Sfax", description="Night shelter near the port"
    )
    ServiceFactory(
        organisation=shelter,
        name="Beds",
        category=ServiceCategory.EMERGENCY_SHELTER,
        capacity_status=CapacityStatus.FULL,
    )
    ServiceFactory(
        organisation=shelter,
        name="Soup",
        category=ServiceCategory.FOOD,
        capacity_status=CapacityStatus.AVAILABLE,
    )
    lawyers = OrganisationFactory(name="Rights Now", city="Tunis")
    ServiceFactory(
        organisation=lawyers,
        name="Counselling",
        category=ServiceCategory.LEGAL_AID,
        capacity_status=CapacityStatus.WAITING_LIST,
    )
    doctors = OrganisationFactory(name="Medics", city="sousse", kind=OrganisationKind.INTERNATIONAL)
    ServiceFactory(
        organisation=doctors,
        name="Clinic",
        category=ServiceCategory.HEALTH,
        capacity_status=CapacityStatus.AVAILABLE,
    )
    # A legal-aid service that is switched off does not put its organisation under legal aid.
    ServiceFactory(
        organisation=doctors,
        name="Old legal desk",
        category=ServiceCategory.LEGAL_AID,
        is_active=False,
    )
    MunicipalityFactory(name="City of Sfax", city="SFAX")
    closed = OrganisationFactory(name="Closed Shelter", city="Sfax", is_active=False)
    ServiceFactory(organisation=closed, name="Old beds", category=ServiceCategory.EMERGENCY_SHELTER)
    return {"shelter": shelter, "lawyers": lawyers, "doctors": doctors}


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


ALL_ACTIVE = {"Safe Harbour", "Rights Now", "Medics", "City of Sfax", "Helping Hands"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ALL_ACTIVE),
        ({"q": "harbour"}, {"Safe Harbour"}),
        ({"q": "port"}, {"Safe Harbour"}),  # the description is searched
        ({"q": "tunis"}, {"Rights Now"}),  # and the city
        ({"kind": "international"}, {"Medics"}),
        ({"kind": "municipality"}, {"City of Sfax"}),
        ({"city": "sfax"}, {"Safe Harbour", "City of Sfax", "Helping Hands"}),
        ({"city": "SOUSSE"}, {"Medics"}),
        ({"category": "legal_aid"}, {"Rights Now"}),
        ({"category": "emergency_shelter"}, {"Safe Harbour"}),
        ({"capacity": "waiting_list"}, {"Rights Now"}),
        ({"capacity": "available"}, {"Safe Harbour", "Medics"}),
        # Category and capacity hold for the same service: the shelter's beds are full.
        ({"category": "emergency_shelter", "capacity": "available"}, set()),
        ({"category": "food", "capacity": "available"}, {"Safe Harbour"}),
        ({"city": "sfax", "kind": "cso"}, {"Safe Harbour", "Helping Hands"}),
        ({"q": "nobody-is-called-this"}, set()),
    ],
)
def test_it_filters_the_directory(signed_in, world, query, expected):
    assert listed(signed_in.get(DIRECTORY, query)) == expected


def test_it_never_lists_an_inactive_organisation(signed_in, world):
    response = signed_in.get(DIRECTORY, {"q": "closed"})

    assert listed(response) == set()
    assert "Closed Shelter" not in response.content.decode()
    assert signed_in.get(f"/organisations/{world['shelter'].pk}/").status_code == 200


def test_an_inactive_organisation_has_no_page(signed_in, world):
    closed = OrganisationFactory(name="Gone", is_active=False)
    assert signed_in.get(f"/organisations/{closed.pk}/").status_code == 404


def test_the_directory_shows_counts_and_badges(signed_in, world):
    PartnershipFactory(municipality__city="Sfax", organisation=world["shelter"])

    body = signed_in.get(DIRECTORY, {"q": "harbour"}).content.decode()

    assert "Safe Harbour" in body
    assert "Partner of the municipality" in body
    assert "<td>2</td>" in body  # two active services


def test_an_invalid_filter_is_ignored_not_an_error(signed_in, world):
    response = signed_in.get(DIRECTORY, {"kind": "pirate", "category": "magic"})

    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Beds", "Soup", "Counselling", "Clinic"}),
        ({"category": "health"}, {"Clinic"}),
        ({"city": "TUNIS"}, {"Counselling"}),
        ({"city": "sfax"}, {"Beds", "Soup"}),
        ({"capacity": "full"}, {"Beds"}),
        ({"q": "medics"}, {"Clinic"}),  # the organisation's name is searched
        ({"city": "sfax", "category": "legal_aid"}, set()),
    ],
)
def test_it_filters_the_service_directory(signed_in, world, query, expected):
    # Inactive services and services of closed organisations never appear.
    assert listed(signed_in.get(SERVICES, query)) == expected


@pytest.mark.parametrize("url", [DIRECTORY, SERVICES, "/organisations/matrix/"])
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={url}")


def _add_organisations(count: int) -> None:
    municipality = MunicipalityFactory(city="Sfax")
    for _ in range(count):
        organisation = OrganisationFactory(city="Sfax")
        ServiceFactory(organisation=organisation, category=ServiceCategory.FOOD)
        ServiceFactory(organisation=organisation, category=ServiceCategory.HEALTH, city="Tunis")
        PartnershipFactory(municipality=municipality, organisation=organisation)


@pytest.mark.parametrize("url", [DIRECTORY, SERVICES, "/organisations/matrix/?city=Sfax"])
def test_the_number_of_queries_does_not_grow_with_the_rows(signed_in, url):
    # Both requests start from a cold cache, so that they take the same path.
    _add_organisations(5)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(url).status_code == 200

    _add_organisations(25)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert signed_in.get(url).status_code == 200

    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_the_city_hints_come_from_active_organisations_and_services(signed_in, world):
    OrganisationFactory(name="Closed in Gabes", city="Gabes", is_active=False)
    ServiceFactory(organisation=world["lawyers"], city="Nador", is_active=False)

    response = signed_in.get(DIRECTORY)

    assert {city.casefold() for city in response.context["cities"]} == {"sfax", "sousse", "tunis"}
    assert '<option value="Tunis">' in response.content.decode()
