"""The public "find help" pages: anyone reads them, in each language, without a cookie; they show
the public directory only, say what is open now, and are served from the cache."""

from __future__ import annotations

import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organisations.models import CapacityStatus, ServiceCategory
from tests.factories import OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db

TUNIS = zoneinfo.ZoneInfo("Africa/Tunis")
# A Tuesday, 10:00 in Sfax; 20 March 2029 is a Tuesday and Independence Day (a public holiday).
TUESDAY_MORNING = datetime.datetime(2029, 3, 13, 10, 0, tzinfo=TUNIS)
HOLIDAY_MORNING = datetime.datetime(2029, 3, 20, 10, 0, tzinfo=TUNIS)
HOURS = "Mo-Fr 08:30-12:00,14:00-17:00; PH off"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def directory():
    legal = OrganisationFactory(
        name="Legal Aid Sfax", address="12 rue de Tunis", phone="+216 74 000 200"
    )
    kitchen = OrganisationFactory(name="Solidarity Kitchen", city="Sfax", address="Souk el Jomaa")
    refuge = OrganisationFactory(name="Women's refuge", address="A secret street")
    return {
        "counselling": ServiceFactory(
            organisation=legal,
            name="Legal counselling",
            category=ServiceCategory.LEGAL_AID,
            languages=["ar", "fr"],
            area_served="Sfax Ville",
            opening_hours=HOURS,
            what_to_bring="Any identity paper",
            is_public=True,
        ),
        "meals": ServiceFactory(
            organisation=kitchen,
            name="Hot meals",
            category=ServiceCategory.FOOD,
            languages=["ar", "en"],
            area_served="Medina",
            opening_hours="Mo-Su 18:00-21:00",
            capacity_status=CapacityStatus.FULL,
            is_public=True,
        ),
        "refuge": ServiceFactory(
            organisation=refuge,
            name="Safe house",
            category=ServiceCategory.GBV_RESPONSE,
            location_confidential=True,
        ),
        "internal": ServiceFactory(organisation=legal, name="Internal desk"),
        "closed": ServiceFactory(
            organisation=legal, name="Archived service", is_public=True, is_active=False
        ),
    }


def read(url: str, **headers):
    return Client().get(url, **headers)


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("fr", "ltr"), ("ar", "rtl")])
def test_anyone_reads_the_directory_in_each_language_without_a_cookie(
    directory, language, direction
):
    response = read(f"/find-help/{language}/")

    assert response.status_code == 200
    assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()
    assert not response.cookies  # no session, no CSRF token: nothing kept about the reader
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Legal counselling" in response.content.decode()
    assert "<script" not in response.content.decode().replace(
        '<script src="/static/findhelp/install.js" defer></script>', ""
    )  # the one script only installs the offline copy; the page needs none


def test_the_start_page_follows_the_browsers_language(directory):
    response = read("/find-help/", HTTP_ACCEPT_LANGUAGE="ar,fr;q=0.8")
    assert response.status_code == 302
    assert response["Location"] == "/find-help/ar/"
    assert "Accept-Language" in response["Vary"]
    assert read("/find-help/de/").status_code == 404  # not an interface language


def test_only_the_public_directory_is_shown(directory):
    body = read("/find-help/en/").content.decode()

    assert "Legal counselling" in body
    assert "Hot meals" in body
    for hidden in (
        "Safe house",
        "A secret street",
        "Women&#x27;s refuge",
        "Internal desk",
        "Archived",
    ):
        assert hidden not in body


def test_filters_by_category_city_area_and_language(directory):
    other_city = ServiceFactory(
        organisation=OrganisationFactory(city="Tunis"), name="Tunis clinic", is_public=True
    )

    def names(query: str) -> set[str]:
        body = read(f"/find-help/en/?{query}").content.decode()
        return {
            name for name in ("Legal counselling", "Hot meals", other_city.name) if name in body
        }

    assert names("category=food") == {"Hot meals", "Tunis clinic"}
    assert names("city=Tunis") == {"Tunis clinic"}
    assert names("area=Medina") == {"Hot meals"}
    assert names("language=fr") == {"Legal counselling"}
    assert names("language=en&city=Sfax") == {"Hot meals"}


def test_a_filter_value_the_directory_does_not_hold_is_a_clear_400_never_cached(directory):
    response = read("/find-help/en/?city=Atlantis")
    again = read("/find-help/en/?city=Atlantis")

    assert response.status_code == 400
    assert "A filter was not understood" in response.content.decode()
    assert again.get("X-Cache") is None
    assert read("/find-help/en/?page=7").status_code == 404
    assert read("/find-help/en/?page=x").status_code == 400


def test_open_now_follows_the_hours_in_the_citys_time_and_its_public_holidays(directory):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        tuesday = read("/find-help/en/?open_now=on").content.decode()
        cache.clear()
        listing = read("/find-help/en/").content.decode()
    cache.clear()
    with time_machine.travel(HOLIDAY_MORNING, tick=False):
        holiday = read("/find-help/en/?open_now=on").content.decode()

    assert "Legal counselling" in tuesday
    assert "Hot meals" not in tuesday
    assert '<strong class="open">' in listing
    assert '<strong class="closed">' in listing
    # The week from today, in words: Tuesday to Friday 08:30-12:00 and 14:00-17:00.
    assert 'Tuesday – Friday: <span dir="ltr">08:30–12:00, 14:00–17:00</span>' in listing
    assert "Saturday – Sunday: closed" in listing
    assert 'Monday: <span dir="ltr">08:30–12:00, 14:00–17:00</span>' in listing
    assert 'Every day: <span dir="ltr">18:00–21:00</span>' in listing
    assert "Legal counselling" not in holiday  # closed on Independence Day


def test_hours_written_before_the_syntax_show_as_written_and_never_open_or_closed(directory):
    from organisations.models import Service

    Service.objects.filter(pk=directory["counselling"].pk).update(opening_hours="By appointment")
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        body = read("/find-help/en/?category=legal_aid").content.decode()

    assert "By appointment" in body
    assert 'class="open"' not in body
    assert 'class="closed"' not in body


def test_a_page_is_served_from_the_cache_without_touching_the_database(directory):
    first = read("/find-help/fr/?category=food")
    with CaptureQueriesContext(connection) as queries:
        second = read("/find-help/fr/?category=food")
        third = read("/find-help/fr/?category=food&utm_source=leaflet")  # unknown: ignored

    assert (first["X-Cache"], second["X-Cache"], third["X-Cache"]) == ("miss", "hit", "hit")
    assert len(queries) == 0
    assert second.content == first.content


def test_a_phone_page_stays_under_100_kb_with_a_full_page_of_services(directory):
    organisation = OrganisationFactory(name="A large network", address="1 avenue Habib Bourguiba")
    ServiceFactory.create_batch(
        60,
        organisation=organisation,
        description="Counselling, orientation and accompaniment to the public services. " * 4,
        eligibility="Anyone, whatever their papers.",
        languages=["ar", "fr", "en", "bm"],
        opening_hours="Mo-Fr 08:30-12:00,14:00-17:00; Sa 09:00-12:00; PH off",
        what_to_bring="Identity paper if you have one\nThe letter of the organisation sending you",
        is_public=True,
    )
    for language in ("en", "fr", "ar"):
        response = read(f"/find-help/{language}/")
        stylesheet = finders.find("findhelp/findhelp.css")
        with open(stylesheet, "rb") as css:
            weight = len(response.content) + len(css.read())
        assert weight < 100_000, f"{language}: {weight} bytes"
    assert 'rel="next"' in read("/find-help/en/").content.decode()


def test_the_pages_install_as_a_web_app_that_works_offline(directory):
    manifest = json.loads(read("/find-help/ar/manifest.webmanifest").content)
    worker = read("/find-help/sw.js")

    assert (manifest["lang"], manifest["dir"], manifest["start_url"]) == (
        "ar",
        "rtl",
        "/find-help/ar/",
    )
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]
    assert worker["Content-Type"].startswith("text/javascript")
    assert "no-cache" in worker["Cache-Control"]
    body = worker.content.decode()
    for page in ("/find-help/en/", "/find-help/fr/", "/find-help/ar/", "/find-help/ar/pathways/"):
        assert f'"{page}"' in body


def test_published_pathways_show_their_public_services_only():
    call_command("seed_demo", force=True, verbosity=0)
    body = read("/find-help/en/pathways/").content.decode()

    assert "Emergency shelter tonight" in body
    assert "Emergency night shelter" in body
    assert "Host families" not in body.replace("Host families when the shelter is full", "")
    assert "Survivors" not in body  # the GBV pathway is adopted but not published


def test_the_pages_refuse_to_be_written_to(directory):
    assert Client().post("/find-help/en/", {"category": "food"}).status_code == 405
