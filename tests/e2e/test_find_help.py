"""The public "find help" pages in a real browser on a phone: every page in each language fits,
passes axe and leaves no interface text untranslated; installed, they keep working offline."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.crawl import crawl_as

pytestmark = [pytest.mark.django_db(transaction=True)]


def _nobody(page, url, username):
    """The public pages: nobody signs in."""


def test_the_public_pages_fit_a_phone_in_three_languages(browser, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    findings, pages = [], 0
    for language in ("en", "fr", "ar"):
        home = f"/find-help/{language}/"
        crawl = crawl_as(
            browser,
            live_server.url,
            "anyone",
            _nobody,
            languages=(language,),
            start=home,
            within=home,
        )
        pages += sum(crawl.pages.values())
        findings += crawl.findings
    assert pages >= 6  # each language's directory, a filtered list and its pathways at least
    assert not findings, "\n".join(map(str, findings))


def test_the_directory_works_offline_once_seen(browser, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    context = browser.new_context(
        locale="ar", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/find-help/")
    assert page.url.endswith("/find-help/ar/")
    # The service worker installs, keeps the pages, and takes this page over.
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)
    page.select_option("select[name=category]", "food")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    assert "category=food" in page.url
    expect(page.locator("article.service")).to_have_count(2)

    context.set_offline(True)
    page.goto(f"{live_server.url}/find-help/ar/?category=food")  # seen: as it was
    expect(page.locator("article.service")).to_have_count(2)
    page.goto(f"{live_server.url}/find-help/ar/?category=health")  # never seen: the whole list
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("article.service").count() > 2
    page.goto(f"{live_server.url}/find-help/en/pathways/")  # kept when the worker installed
    expect(page.locator("h1")).to_have_text("Step by step")
    context.close()
