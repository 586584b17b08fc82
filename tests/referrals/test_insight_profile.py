"""The migration profile on constructed cases, the web pages and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from tests.referrals.conftest import get
from tests.referrals.insight_data import add_cases, at

URL = "/api/v1/stats/profile/"


def table(data: dict, name: str) -> dict:
    found = next(t for t in data["tables"] if t["name"] == name)
    rows = {row["key"]: row["values"]["cases"] for row in found["rows"]}
    if found["total"]:
        rows["total"] = found["total"]["values"]["cases"]
    return rows


@pytest.fixture
def frozen():
    with time_machine.travel(at(2026, 6, 15, 12), tick=False):
        yield


@pytest.fixture
def people(world):
    """Cases of the sender (a group member) and of the third organisation (not a member)."""
    add_cases(
        world.sender,
        8,
        created_at=at(2026, 3, 5),
        age_band="18-25",
        sex="female",
        nationality="SD",
        languages=["ar", "en"],
        vulnerabilities=["woman_at_risk"],
    )
    add_cases(
        world.sender,
        6,
        created_at=at(2026, 4, 5),
        age_band="26-59",
        sex="male",
        nationality="GN",
        languages=["fr"],
        vulnerabilities=["medical_need", "homeless"],
    )
    add_cases(
        world.receiver,
        2,
        created_at=at(2026, 4, 20),
        age_band="12-17",
        sex="male",
        nationality="",
        nationality_other="Stateless",
        languages=["fr"],
    )
    add_cases(world.third, 30, created_at=at(2026, 4, 5), nationality="ML")


@pytest.mark.usefixtures("frozen", "people")
def test_the_profile_counts_the_groups_people(world):
    response = get(world.coordinator, URL + f"?scope=group:{world.group.pk}&start=2026-01")
    assert response.status_code == 200, response.content
    data = response.json()
    assert table(data, "by_age_band")["18-25"] == 8
    # The two children are hidden, and so is the next smallest cell (their complement).
    assert table(data, "by_age_band")["12-17"] == "<5"
    assert table(data, "by_age_band")["26-59"] == "<5"
    assert table(data, "by_age_band")["total"] == 16
    nationality = table(data, "by_nationality")
    assert nationality["SD"] == 8
    assert nationality["other"] == "<5"
    assert nationality["GN"] == "<5"  # the complement of the two stateless people
    assert "ML" not in nationality  # the third organisation is not in the group
    languages = table(data, "by_language")
    assert languages["fr"] == 8
    assert languages["ar"] == 8
    vulnerabilities = table(data, "by_vulnerability")
    assert vulnerabilities["woman_at_risk"] == 8
    assert vulnerabilities["homeless"] == 6
    months = table(data, "by_month")
    assert months["2026-03"] == 8
    assert months["2026-04"] == 8
    assert months["total"] == 16


@pytest.mark.usefixtures("frozen", "people")
@pytest.mark.parametrize("view", ["profile", "referrals"])
def test_a_city_nobody_works_in_counts_nothing_and_is_no_error(world, view):
    url = f"/api/v1/stats/{view}/?scope=group:{world.group.pk}&city=Nowhere&start=2026-01"

    response = get(world.coordinator, url)

    assert response.status_code == 200, response.content


@pytest.mark.usefixtures("frozen", "people")
def test_names_are_in_the_readers_language(world):
    response = get(world.coordinator, URL + f"?scope=group:{world.group.pk}&start=2026-01")
    rows = next(t for t in response.json()["tables"] if t["name"] == "by_nationality")["rows"]
    assert {"key": "SD", "label": "Sudan", "values": {"cases": 8}} in rows
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(world.coordinator)
    french = client.get(URL + f"?scope=group:{world.group.pk}&start=2026-01").json()
    labels = {r["key"]: r["label"] for t in french["tables"] for r in t["rows"]}
    assert labels["SD"] == "Soudan"
    assert labels["fr"] == "français"


@pytest.mark.usefixtures("frozen", "people")
def test_the_pages_show_charts_and_tables(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    client.force_login(world.coordinator)
    for path in ("/insight/profile/", "/insight/referrals/"):
        response = client.get(path + "?start=2026-01")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<svg class="chart"' in html
        assert 'role="img"' in html
        assert "<table" in html
        assert "<script" not in html.split("</head>")[1]


@pytest.mark.usefixtures("frozen", "people")
def test_the_csv_opens_with_arabic_intact(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    client.force_login(world.coordinator)
    response = client.get("/insight/profile/?start=2026-01&export=by_nationality")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    with translation.override("ar"):
        from organisations.names import country_name

        sudan = country_name("SD")
    assert [sudan, "8"] in rows
    assert ["المجموع", "16"] in rows or rows[-1][1] == "16"


@pytest.mark.usefixtures("frozen", "people")
def test_the_csv_hides_the_same_cells(world):
    client = Client()
    client.force_login(world.coordinator)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/insight/profile/?start=2026-01&export=by_nationality").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert ["Other or stateless", "<5"] in rows


def test_pages_refuse_who_may_not_read_them(world):
    client = Client()
    assert client.get("/insight/profile/").status_code == 302  # to the sign-in page
    client.force_login(world.sender_worker)
    assert client.get("/insight/profile/").status_code == 403
    assert client.get("/insight/referrals/?export=by_state").status_code == 403
    client.force_login(world.sender_supervisor)
    assert client.get("/insight/referrals/").status_code == 200
    assert client.get(f"/insight/referrals/?scope=group:{world.group.pk}").status_code == 403
    assert client.get("/insight/referrals/?export=nonsense").status_code == 404


def test_a_bad_month_on_the_page_is_a_form_error(world):
    client = Client()
    client.force_login(world.sender_supervisor)
    response = client.get("/insight/referrals/?start=2026-13&end=abc")
    assert response.status_code == 200
    assert "Enter a month as YYYY-MM" in response.content.decode()
