"""API v1 of the registry: token sign-in, the organisation and service directories, the schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import ApiToken, CapacityStatus, OrganisationKind, ServiceCategory
from tests.factories import (
    PASSWORD,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

ORGANISATION_FIELDS = {"id", "name", "kind", "city", "is_verified", "is_trusted"}


@pytest.fixture
def api(api_client, alice):
    api_client.force_authenticate(alice)
    return api_client


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# Token -------------------------------------------------------------------------------------------


def test_a_token_is_issued_for_a_username_and_password(api_client, alice):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    stored = ApiToken.objects.get(user=alice)
    assert token.startswith(stored.token_key)
    assert stored.digest != token  # kept hashed, never in clear


def test_the_token_authenticates_api_requests(api_client, alice):
    token = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    ).json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api_client.get("/api/v1/organisations/").status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get("/api/v1/organisations/").status_code == 401


def test_a_wrong_password_gets_400_and_no_token(api_client, alice):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not ApiToken.objects.filter(user=alice).exists()


def test_missing_credentials_get_400_with_field_errors(api_client, db):
    response = api_client.post("/api/v1/auth/token/", {"username": "alice"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"password"}


def test_an_inactive_user_gets_no_token(api_client, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    response = api_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 400


# Authentication ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/organisations/", "/api/v1/services/"])
def test_anonymous_requests_get_401(api_client, cso, url):
    response = api_client.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_signed_in_session_works(client, alice):
    client.force_login(alice)

    assert client.get("/api/v1/organisations/").status_code == 200


# Organisations -----------------------------------------------------------------------------------


def test_the_list_shows_active_organisations_with_their_trust(api, cso, other_cso):
    PartnershipFactory(organisation=cso)
    OrganisationFactory(name="Closed", is_active=False)
    ServiceFactory(organisation=cso)
    ServiceFactory(organisation=cso, is_active=False)

    rows = {row["name"]: row for row in results(api.get("/api/v1/organisations/"))}

    municipality_name = next(n for n in rows if n.startswith("Municipality"))
    assert set(rows) == {"Helping Hands", "Far Away Aid", municipality_name}
    helping = rows["Helping Hands"]
    assert set(helping) >= ORGANISATION_FIELDS
    assert helping["id"] == cso.pk
    assert helping["kind"] == "cso"
    assert helping["city"] == "Sfax"
    assert helping["is_verified"] is True
    assert helping["is_trusted"] is True
    assert helping["service_count"] == 1
    assert rows["Far Away Aid"]["is_trusted"] is False


def test_the_detail_carries_the_active_services(api, cso):
    ServiceFactory(
        organisation=cso, name="Meals", category=ServiceCategory.FOOD, languages=["ar", "fr"]
    )
    ServiceFactory(organisation=cso, name="Archived", is_active=False)

    response = api.get(f"/api/v1/organisations/{cso.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= ORGANISATION_FIELDS
    assert (body["id"], body["name"], body["is_trusted"]) == (cso.pk, "Helping Hands", False)
    assert [s["name"] for s in body["services"]] == ["Meals"]
    service = body["services"][0]
    assert service["category"] == "food"
    assert service["organisation"] == cso.pk
    assert service["capacity_status"] == "available"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "municipality"}, {"Town Hall"}),
        ({"city": "tunis"}, {"Far Away Aid"}),
        ({"search": "helping"}, {"Helping Hands"}),
        ({"category": "legal_aid"}, {"Far Away Aid"}),
    ],
)
def test_the_list_filters(api, cso, other_cso, query, expected):
    MunicipalityFactory(name="Town Hall", city="Sfax")
    ServiceFactory(organisation=other_cso, category=ServiceCategory.LEGAL_AID)
    ServiceFactory(organisation=other_cso, category=ServiceCategory.LEGAL_AID)
    ServiceFactory(organisation=cso, category=ServiceCategory.LEGAL_AID, is_active=False)

    rows = results(api.get("/api/v1/organisations/", query))

    assert {row["name"] for row in rows} == expected
    assert len(rows) == len(expected)  # no duplicates from the join on services


@pytest.mark.parametrize("query", [{"category": "magic"}, {"kind": "pirate"}])
def test_an_invalid_choice_gets_400_with_the_field(api, cso, query):
    response = api.get("/api/v1/organisations/", query)

    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_an_unknown_or_inactive_organisation_is_404(api, cso):
    closed = OrganisationFactory(is_active=False)

    assert api.get("/api/v1/organisations/999999/").status_code == 404
    assert api.get(f"/api/v1/organisations/{closed.pk}/").status_code == 404


def test_the_directory_is_read_only_for_its_readers(api, cso):
    assert api.post("/api/v1/organisations/", {"name": "Mine"}).status_code == 405
    assert api.patch(f"/api/v1/organisations/{cso.pk}/", {"name": "Mine"}).status_code == 403


# Services ----------------------------------------------------------------------------------------


@pytest.fixture
def services_world(cso, other_cso):
    ServiceFactory(
        organisation=cso, name="Meals", category=ServiceCategory.FOOD, languages=["ar", "fr"]
    )
    ServiceFactory(
        organisation=cso,
        name="Beds",
        category=ServiceCategory.EMERGENCY_SHELTER,
        capacity_status=CapacityStatus.FULL,
    )
    ServiceFactory(
        organisation=other_cso, name="Bread", category=ServiceCategory.FOOD, languages=["fr-tn"]
    )
    ServiceFactory(
        organisation=other_cso, name="Gone", category=ServiceCategory.FOOD, is_active=False
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Meals", "Beds", "Bread"}),
        ({"category": "food"}, {"Meals", "Bread"}),
        ({"city": "SFAX"}, {"Meals", "Beds"}),
        ({"category": "food", "city": "Tunis"}, {"Bread"}),
        ({"capacity_status": "full"}, {"Beds"}),
        ({"category": "legal_aid"}, set()),
        ({"language": "ar"}, {"Meals"}),
        ({"language": "AR"}, {"Meals"}),
        ({"language": "fr"}, {"Meals", "Bread"}),
        ({"language": "a"}, None),  # not a code: 400
        ({"language": "fr-tn"}, {"Bread"}),
        ({"language": "en"}, set()),
    ],
)
def test_the_service_directory_filters(api, services_world, query, expected):
    response = api.get("/api/v1/services/", query)

    if expected is None:
        assert response.status_code == 400
        assert set(response.json()) == set(query)
        return
    assert {row["name"] for row in results(response)} == expected


def test_a_service_names_its_organisation(api, cso, services_world):
    rows = results(api.get("/api/v1/services/", {"category": "emergency_shelter"}))

    assert rows[0]["organisation"] == cso.pk
    assert rows[0]["organisation_name"] == "Helping Hands"
    assert rows[0]["capacity_status"] == "full"
    assert rows[0]["capacity_confirmed_at"]


@pytest.mark.parametrize(
    "query", [{"category": "magic"}, {"capacity_status": "lots"}, {"organisation": "abc"}]
)
def test_an_invalid_service_filter_gets_400_with_the_field(api, services_world, query):
    response = api.get("/api/v1/services/", query)

    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_an_unknown_service_is_404(api, db):
    assert api.get("/api/v1/services/999999/").status_code == 404


# Query counts ------------------------------------------------------------------------------------


def _add_organisations(count: int) -> None:
    municipality = MunicipalityFactory()
    for _ in range(count):
        organisation = OrganisationFactory(kind=OrganisationKind.CSO)
        ServiceFactory(organisation=organisation, category=ServiceCategory.FOOD)
        ServiceFactory(organisation=organisation, category=ServiceCategory.HEALTH)
        PartnershipFactory(municipality=municipality, organisation=organisation)


@pytest.mark.parametrize(
    "url", ["/api/v1/organisations/", "/api/v1/services/", "/api/v1/organisations/?category=food"]
)
def test_the_number_of_queries_does_not_grow_with_the_rows(api, url):
    _add_organisations(5)
    with CaptureQueriesContext(connection) as few:
        first = results(api.get(url))

    _add_organisations(25)
    with CaptureQueriesContext(connection) as many:
        second = results(api.get(url))

    assert len(second) > len(first) >= 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_detail_takes_a_fixed_number_of_queries(api, cso, django_assert_max_num_queries):
    for _ in range(10):
        ServiceFactory(organisation=cso)
    PartnershipFactory(organisation=cso)

    with django_assert_max_num_queries(4):
        response = api.get(f"/api/v1/organisations/{cso.pk}/")

    assert len(response.json()["services"]) == 10


# Schema and docs ---------------------------------------------------------------------------------


def test_the_schema_is_an_openapi_3_document(api_client, alice):
    api_client.force_authenticate(alice)
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organisations/" in schema["paths"]
    assert "/api/v1/organisations/{id}/" in schema["paths"]
    assert "/api/v1/services/" in schema["paths"]
    assert "/api/v1/auth/token/" in schema["paths"]


def test_the_docs_page_renders_for_a_signed_in_user(client, alice):
    client.force_login(alice)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_the_matrix_shows_who_does_what_where_as_the_web_does(api, services_world, cso, other_cso):
    ServiceFactory(organisation=other_cso, city="Sfax", category=ServiceCategory.FOOD)

    response = api.get("/api/v1/services/matrix/", {"city": "sfax"})

    assert response.status_code == 200, response.content
    data = response.json()
    assert {o["name"] for o in data["organisations"]} == {"Helping Hands", "Far Away Aid"}
    food = next(row for row in data["rows"] if row["category"] == "food")
    assert set(food["providers"]) == {cso.pk, other_cso.pk}
    assert food["is_overlap"] is True
    legal = next(row for row in data["rows"] if row["category"] == "legal_aid")
    assert (legal["is_gap"], legal["providers"]) == (True, [])
    assert api.get("/api/v1/services/matrix/").status_code == 400  # which city?
    assert api.get("/api/v1/services/matrix/", {"city": ""}).status_code == 400
