"""Each demo role opens a home page that shows what needs them; the coordinator reads the
statistics and the migration profile in Arabic on a phone: real charts, mirrored, no sideways
scroll, and a CSV that keeps the Arabic."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.test_directory_in_three_languages import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("username", "section"),
    [
        ("cso1.worker", "Inbox of \u2068Sfax Solidarity Network\u2069"),  # the name isolated
        ("muni.supervisor", "Who read our cases lately"),
        ("io.coordinator", "Groups I coordinate"),
        ("admin", "Platform administration"),
    ],
)
def test_every_role_has_a_home_that_shows_what_needs_them(page, live_server, username, section):
    call_command("seed_demo", force=True, verbosity=0)
    sign_in(page, live_server, username)
    assert page.locator("h2", has_text=section).count() == 1
    first = page.locator("ul.counters a").first
    if first.count():
        target = first.get_attribute("href")
        with page.expect_navigation():
            first.click()
        assert page.url.endswith(target)
    assert "not a member of any organisation" not in page.content()


def test_the_coordinator_reads_charts_in_arabic_on_a_phone(browser, live_server, tmp_path):
    call_command("seed_demo", force=True, verbosity=0)
    context = browser.new_context(
        locale="ar",
        viewport={"width": 360, "height": 740},
        extra_http_headers={"Accept-Language": "ar"},
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "io.coordinator")
        for path in ("/insight/referrals/", "/insight/profile/"):
            page.goto(f"{live_server.url}{path}")
            assert page.locator("html").get_attribute("dir") == "rtl"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path} scrolls sideways: {width}px"
            charts = page.locator("svg.chart")
            assert charts.count() >= 4
            chart = charts.first.bounding_box()
            assert chart["width"] > 200
            # Labels are drawn inside the chart, flush to the right in Arabic.
            label = charts.first.locator("text.label").first.bounding_box()
            assert chart["x"] <= label["x"]
            assert label["x"] + label["width"] <= chart["x"] + chart["width"] + 1
            assert label["x"] + label["width"] > chart["x"] + chart["width"] * 0.6
        with page.expect_download() as download:
            page.locator("a[download]").first.click()
        path = tmp_path / "table.csv"
        download.value.save_as(path)
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert "العمر".encode() in raw or "الأشخاص".encode() in raw
    finally:
        context.close()
