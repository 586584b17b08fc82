"""Who does what where: overlaps and gaps of service categories in one city."""

from __future__ import annotations

import pytest

from organisations import selectors
from organisations.models import ServiceCategory
from tests.factories import OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def row(matrix, category):
    return next(r for r in matrix.rows if r.category == category)


@pytest.fixture
def sfax():
    """Two organisations in Sfax that both feed people; one of them also runs two clinics."""
    kitchen = OrganisationFactory(name="Kitchen", city="Sfax")
    ServiceFactory(
        organisation=kitchen, category=ServiceCategory.FOOD, area_served="Médina", name="Meals"
    )
    ServiceFactory(
        organisation=kitchen, category=ServiceCategory.HEALTH, area_served="Médina", name="Clinic A"
    )
    ServiceFactory(
        organisation=kitchen,
        category=ServiceCategory.HEALTH,
        area_served="Sakiet Ezzit",
        name="Clinic B",
    )
    pantry = OrganisationFactory(name="Pantry", city="Sfax")
    ServiceFactory(
        organisation=pantry, category=ServiceCategory.FOOD, area_served="Sakiet Ezzit", name="Bags"
    )
    return {"kitchen": kitchen, "pantry": pantry}


def test_two_organisations_offering_a_category_in_the_city_overlap(sfax):
    matrix = selectors.service_matrix(city="Sfax")

    food = row(matrix, ServiceCategory.FOOD)
    assert food.is_overlap
    assert food.provider_count == 2
    assert [r.category for r in matrix.overlaps] == [ServiceCategory.FOOD]


def test_one_organisation_with_two_services_of_a_category_is_not_an_overlap(sfax):
    health = row(selectors.service_matrix(city="Sfax"), ServiceCategory.HEALTH)

    assert health.provider_count == 1
    assert not health.is_overlap
    assert not health.is_gap
    # Both clinics sit in the kitchen's column.
    columns = [org.name for org in selectors.service_matrix(city="Sfax").organisations]
    assert columns == ["Kitchen", "Pantry"]
    assert [sorted(s.name for s in cell) for cell in health.cells] == [["Clinic A", "Clinic B"], []]


def test_categories_nobody_offers_are_gaps(sfax):
    matrix = selectors.service_matrix(city="Sfax")

    offered = {ServiceCategory.FOOD, ServiceCategory.HEALTH}
    assert {r.category for r in matrix.gaps} == set(ServiceCategory.values) - offered
    assert len(matrix.rows) == len(ServiceCategory.values)


def test_the_area_filter_counts_only_services_in_that_district(sfax):
    matrix = selectors.service_matrix(city="Sfax", area="médina")

    assert not row(matrix, ServiceCategory.FOOD).is_overlap
    assert row(matrix, ServiceCategory.FOOD).provider_count == 1
    assert [org.name for org in matrix.organisations] == ["Kitchen"]
    assert [s.name for s in row(matrix, ServiceCategory.HEALTH).cells[0]] == ["Clinic A"]


def test_services_in_other_cities_are_ignored(sfax):
    elsewhere = OrganisationFactory(name="Tunis Food Bank", city="Tunis")
    ServiceFactory(organisation=elsewhere, category=ServiceCategory.LEGAL_AID, city="Tunis")
    # An organisation based elsewhere that serves Sfax counts in Sfax.
    ServiceFactory(organisation=elsewhere, category=ServiceCategory.HEALTH, city="sfax")

    matrix = selectors.service_matrix(city="SFAX")

    assert row(matrix, ServiceCategory.LEGAL_AID).is_gap
    assert row(matrix, ServiceCategory.HEALTH).is_overlap
    assert "Tunis Food Bank" in [org.name for org in matrix.organisations]
    assert selectors.service_matrix(city="Tunis").organisations == [elsewhere]


def test_inactive_services_and_closed_organisations_are_ignored(sfax):
    ServiceFactory(organisation=sfax["pantry"], category=ServiceCategory.HEALTH, is_active=False)
    closed = OrganisationFactory(name="Closed", city="Sfax", is_active=False)
    ServiceFactory(organisation=closed, category=ServiceCategory.LEGAL_AID)

    matrix = selectors.service_matrix(city="Sfax")

    assert row(matrix, ServiceCategory.HEALTH).provider_count == 1
    assert row(matrix, ServiceCategory.LEGAL_AID).is_gap
    assert closed not in matrix.organisations


def test_a_city_without_services_is_all_gaps(db):
    matrix = selectors.service_matrix(city="Nador")

    assert matrix.organisations == []
    assert len(matrix.gaps) == len(ServiceCategory.values)
    assert matrix.overlaps == []


def test_the_page_marks_overlap_and_gap_rows(client, alice, sfax):
    client.force_login(alice)

    response = client.get("/organisations/matrix/", {"city": "Sfax"})

    assert response.status_code == 200
    body = response.content.decode()
    assert '<tr class="overlap" data-category="food">' in body
    assert '<tr class="" data-category="health">' in body
    assert '<tr class="gap" data-category="legal_aid">' in body
    assert body.count('<tr class="gap"') == len(ServiceCategory.values) - 2


def test_the_page_defaults_to_the_city_of_my_organisation(client, alice, sfax):
    client.force_login(alice)  # alice works in Sfax

    response = client.get("/organisations/matrix/")

    assert response.context["matrix"].city == "Sfax"
    assert '<tr class="overlap" data-category="food">' in response.content.decode()
