"""cso1.worker signs in and browses the directory and the matrix in English, French and Arabic."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from organisations.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def switch_language(page, code):
    with page.expect_navigation():
        page.select_option("#switch-language", code)


def test_a_caseworker_browses_the_directory_and_matrix_in_three_languages(page, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    sign_in(page, live_server, "cso1.worker")

    # A click that navigates returns before the next page has loaded: wait for it, never count
    # the rows of the page being left.
    with page.expect_navigation():
        page.click("nav >> text=Directory")
    expect(page.locator("table tbody tr")).to_have_count(4)
    page.select_option("select[name=category]", "legal_aid")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    assert "Legal Aid Sfax" in rows.inner_text()

    page.goto(f"{live_server.url}/organisations/matrix/?city=Sfax")
    assert page.locator("tr.overlap[data-category=food]").count() == 1
    assert page.locator("tr.gap[data-category=education]").count() == 1

    switch_language(page, "fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Qui fait quoi où"
    with page.expect_navigation():
        page.click("nav >> text=Annuaire")
    expect(page.locator("table tbody tr")).to_have_count(4)

    switch_language(page, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    nav = page.locator("nav.main-nav")
    # Right to left: the first navigation link stands to the right of the second.
    first, second = nav.locator("a").nth(0).bounding_box(), nav.locator("a").nth(1).bounding_box()
    assert first["x"] > second["x"]
    page.goto(f"{live_server.url}/organisations/matrix/?city=Sfax")
    assert page.locator("h1").inner_text() == "من يفعل ماذا وأين"


def test_signing_out_ends_the_session(page, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    sign_in(page, live_server, "cso1.worker")

    page.click("summary")
    with page.expect_navigation():
        page.click("text=Sign out")
    page.goto(f"{live_server.url}/organisations/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
