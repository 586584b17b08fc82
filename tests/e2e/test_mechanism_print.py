"""The mechanism printed in Arabic: a referral pathway on one page and the plan's progress report
with its charts, right to left, without the site's navigation. The PDFs and a picture of each
printed page are kept in the tests' artefacts (``var/artefacts/``, or ``TEST_ARTEFACTS``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from coordination.models import ActionPlan, Pathway
from tests.e2e.test_directory_in_three_languages import sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ARTEFACTS = Path(
    os.environ.get("TEST_ARTEFACTS") or Path(__file__).resolve().parents[2] / "var" / "artefacts"
)


def pages_in(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_a_pathway_and_the_progress_report_print_in_arabic(browser, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        locale="ar",
        viewport={"width": 794, "height": 1123},
        extra_http_headers={"Accept-Language": "ar"},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "io.coordinator")
        shelter = Pathway.objects.get(category="emergency_shelter")
        plan = ActionPlan.objects.get()
        for name, path, most_pages in (
            ("pathway-ar", f"/coordination/pathways/{shelter.pk}/", 1),
            ("progress-ar", f"/coordination/action-plans/{plan.pk}/progress/", 12),
        ):
            page.goto(f"{live_server.url}{path}")
            assert page.locator("html").get_attribute("dir") == "rtl"
            page.emulate_media(media="print")
            assert not page.locator("header.site-header").is_visible()
            assert not page.locator("nav.tabs").first.is_visible()
            page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
            pdf = page.pdf(format="A4", print_background=True)
            (ARTEFACTS / f"{name}.pdf").write_bytes(pdf)
            assert pdf.startswith(b"%PDF")
            assert 1 <= pages_in(pdf) <= most_pages, f"{name}: {pages_in(pdf)} pages"
            page.emulate_media(media="screen")
        # The progress report draws a chart per indicator, mirrored: labels at the right.
        page.goto(f"{live_server.url}/coordination/action-plans/{plan.pk}/progress/")
        charts = page.locator("svg.chart")
        assert charts.count() == plan.indicators.count()
        box = charts.first.bounding_box()
        label = charts.first.locator("text.chart-label").first.bounding_box()
        assert label["x"] + label["width"] > box["x"] + box["width"] * 0.6
    finally:
        context.close()
