"""The directory as open data (Open Referral HSDS 3.0): what it exports validates against the
published schemas shipped in ``organisations/hsds_schema/`` (nothing fetched), and nothing that
is not public, nor a confidential place, ever leaves."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft7Validator, FormatChecker
from rest_framework.test import APIClient

from organisations import hsds
from organisations.models import Service, ServiceCategory
from tests.factories import OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parents[2] / "organisations" / "hsds_schema"


def validator(name: str) -> Draft7Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft7Validator(schema, format_checker=FormatChecker())


def errors(name: str, record: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator(name).iter_errors(record)
    ]


@pytest.fixture
def directory():
    legal = OrganisationFactory(
        name="Legal Aid Sfax",
        description="Free legal counselling",
        address="12 rue de Tunis",
        postal_code="3000",
        region="Sfax",
        phone="+216 74 000 200",
        email="help@legal.example",
        website="https://legal.example",
    )
    shelter_org = OrganisationFactory(name="Women's refuge", address="Secret")
    quiet = OrganisationFactory(name="Not public yet")
    return {
        "counselling": ServiceFactory(
            organisation=legal,
            name="Legal counselling",
            category=ServiceCategory.LEGAL_AID,
            languages=["ar", "fr"],
            opening_hours="Mo-Fr 08:30-12:00,14:00-17:00; Sa 09:00-12:00; PH off",
            what_to_bring="Passport or any identity paper\nThe letter received",
            area_served="Sfax Ville",
            is_public=True,
        ),
        "documents": ServiceFactory(organisation=legal, name="Documents", is_public=True),
        "refuge": ServiceFactory(
            organisation=shelter_org,
            name="Refuge",
            category=ServiceCategory.GBV_RESPONSE,
            location_confidential=True,
        ),
        "private": ServiceFactory(organisation=quiet, name="Internal only"),
        "legal": legal,
    }


def test_services_and_organizations_validate_against_the_published_schemas(directory):
    client = APIClient()

    services = client.get("/api/hsds/services/").json()
    organizations = client.get("/api/hsds/organizations/").json()
    full = client.get(f"/api/hsds/services/{services['contents'][0]['id']}").json()
    organization = client.get(f"/api/hsds/organizations/{organizations['contents'][0]['id']}")

    assert services["total_items"] == 2
    for item in services["contents"]:
        assert errors("service_list.json", item) == []
    assert errors("service_with_definitions.json", full) == []
    for item in organizations["contents"]:
        assert errors("organization_list.json", item) == []
    assert errors("organization_with_definitions.json", organization.json()) == []
    assert full["languages"][0]["code"] == "ar"
    # The hours as weekly iCal-like rows, one per range, the rule as written beside each; the
    # times with their offset from UTC, as HSDS asks (Tunis: +01:00).
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in full["schedules"]] == [
        ("MO,TU,WE,TH,FR", "08:30+01:00", "12:00+01:00"),
        ("MO,TU,WE,TH,FR", "14:00+01:00", "17:00+01:00"),
        ("SA", "09:00+01:00", "12:00+01:00"),
    ]
    assert {s["freq"] for s in full["schedules"]} == {"WEEKLY"}
    assert full["schedules"][0]["description"].endswith("PH off")
    assert [d["document"] for d in full["required_documents"]] == [
        "Passport or any identity paper",
        "The letter received",
    ]
    address = full["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["country"], address["postal_code"], address["state_province"]) == (
        "TN",
        "3000",
        "Sfax",
    )
    (term,) = [a["taxonomy_term"] for a in full["attributes"] if a["value"] == "legal_aid"]
    assert (term["taxonomy"], term["name"]) == ("Open Eligibility", "Legal")


def test_hours_written_before_the_syntax_travel_as_a_description(directory):
    Service.objects.filter(pk=directory["counselling"].pk).update(opening_hours="By appointment")
    service_id = APIClient().get("/api/hsds/services/").json()["contents"][0]["id"]
    cache.clear()
    full = APIClient().get(f"/api/hsds/services/{service_id}").json()
    assert errors("service_with_definitions.json", full) == []
    assert [s.get("description") for s in full["schedules"]] == ["By appointment"]
    assert "byday" not in full["schedules"][0]


def test_what_is_not_public_never_leaves(directory):
    client = APIClient()
    body = json.dumps(
        [
            client.get("/api/hsds/services/?per_page=200").json(),
            client.get("/api/hsds/organizations/?per_page=200").json(),
        ]
    )

    assert "Refuge" not in body
    assert "Women's refuge" not in body
    assert "Internal only" not in body
    assert "Not public yet" not in body
    hidden = hsds.hsds_id("service", directory["refuge"].pk)
    assert client.get(f"/api/hsds/services/{hidden}").status_code == 404
    assert client.get("/api/hsds/services/not-a-uuid").status_code == 404


def test_a_confidential_place_cannot_be_made_public(directory):
    from config.errors import ValidationFailed
    from organisations import services

    refuge = directory["refuge"]
    with pytest.raises(ValidationFailed) as refused:
        services.service_update(service=refuge, actor=None, is_public=True)

    assert refused.value.field == "is_public"


def test_pages_as_hsds_says_and_a_bad_page_is_a_400(directory):
    client = APIClient()

    first = client.get("/api/hsds/services/?per_page=1").json()
    second = client.get("/api/hsds/services/?per_page=1&page=2").json()
    beyond = client.get("/api/hsds/services/?per_page=1&page=9").json()

    assert (first["total_pages"], first["first_page"], first["last_page"]) == (2, True, False)
    assert (second["page_number"], second["last_page"]) == (2, True)
    assert first["contents"][0]["id"] != second["contents"][0]["id"]
    assert beyond["contents"] == []
    assert beyond["empty"] is False
    for query in ("page=0", "per_page=1000", "page=x", "organization_id=7"):
        assert client.get(f"/api/hsds/services/?{query}").status_code == 400, query
    own = hsds.hsds_id("organization", directory["legal"].pk)
    assert client.get(f"/api/hsds/services/?organization_id={own}").json()["total_items"] == 2


def test_the_export_is_served_from_the_cache(directory, settings):
    settings.OPEN_DATA_CACHE_SECONDS = 300
    cache.clear()
    client = APIClient()
    client.get("/api/hsds/services/")

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/hsds/services/")

    assert again.status_code == 200
    assert again.json()["total_items"] == 2
    assert len(queries) == 0


def test_the_tabular_datapackage_passes_its_table_schemas_and_says_what_the_json_says(directory):
    from tests.organisations.tableschema import problems

    response = APIClient().get("/api/hsds/datapackage.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    descriptor = json.loads(archive.read("datapackage.json"))

    assert response["Content-Type"] == "application/zip"
    assert descriptor["profile"] == "tabular-data-package"
    assert problems(response.content) == []
    services = list(csv.DictReader(io.StringIO(archive.read("services.csv").decode())))
    assert sorted(row["name"] for row in services) == ["Documents", "Legal counselling"]
    listed = APIClient().get("/api/hsds/services/").json()["contents"]
    assert {row["id"] for row in services} == {item["id"] for item in listed}
    schedules = list(csv.DictReader(io.StringIO(archive.read("schedules.csv").decode())))
    assert {row["byday"] for row in schedules} == {"MO,TU,WE,TH,FR", "SA"}
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    for hidden in ("Refuge", "Women's refuge", "Internal only", "Not public yet", "Secret"):
        assert hidden not in everything


def test_an_address_without_postal_code_or_region_travels_as_a_description(directory):
    from tests.organisations.tableschema import problems

    directory["legal"].postal_code = ""
    directory["legal"].save()
    package = APIClient().get("/api/hsds/datapackage.zip").content
    archive = zipfile.ZipFile(io.BytesIO(package))
    locations = list(csv.DictReader(io.StringIO(archive.read("locations.csv").decode())))

    assert problems(package) == []
    assert archive.read("addresses.csv").decode().strip().count("\n") == 0  # the header only
    assert [row["description"] for row in locations] == ["12 rue de Tunis, Sfax"]
