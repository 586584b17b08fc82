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


def test_every_page_of_the_mechanism_fits_a_phone_in_three_languages(browser, live_server):
    """Each page a coordinator and a lead organisation's supervisor meet, at 360 px in English,
    French and Arabic: no sideways scroll, no interface text left in English, no serious
    accessibility violation (axe), whatever the crawl's page budget reaches."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from coordination.models import Indicator, TermsOfReference
    from coordination.selectors import reports_awaited
    from tests.e2e.crawl import english_strings, page_problems

    call_command("seed_demo", force=True, verbosity=0)
    plan = ActionPlan.objects.get()
    group = plan.group
    pathway = Pathway.objects.get(category="gbv_response")
    terms = TermsOfReference.objects.get()
    supervisor = get_user_model().objects.get(username="cso1.supervisor")
    due = reports_awaited(supervisor, now=timezone.now())[0]
    indicator = Indicator.objects.exclude(source="").first()
    pages = {
        "io.coordinator": [
            f"/coordination/groups/{group.pk}/terms/",
            f"/coordination/terms/{terms.pk}/",
            f"/coordination/groups/{group.pk}/terms/new/",
            f"/coordination/groups/{group.pk}/pathways/",
            f"/coordination/pathways/{pathway.pk}/",
            f"/coordination/pathways/{pathway.pk}/edit/",
            f"/coordination/groups/{group.pk}/action-plans/",
            f"/coordination/action-plans/{plan.pk}/",
            f"/coordination/action-plans/{plan.pk}/progress/",
            f"/coordination/action-plans/{plan.pk}/activities/new/",
            f"/coordination/indicators/{indicator.pk}/edit/",
        ],
        "cso1.supervisor": [
            "/coordination/commitments/",
            f"/coordination/indicators/{due.indicator.pk}/report/{due.period.start.isoformat()}/",
            "/",
        ],
    }
    catalogues = {"fr": english_strings("fr"), "ar": english_strings("ar"), "en": set()}
    findings = []
    for language in ("en", "fr", "ar"):
        context = browser.new_context(
            locale=language,
            viewport={"width": 360, "height": 740},
            extra_http_headers={"Accept-Language": language},
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            for username, paths in pages.items():
                context.clear_cookies()
                sign_in(page, live_server, username)
                for path in paths:
                    response = page.goto(f"{live_server.url}{path}")
                    assert response.status == 200, (username, path, response.status)
                    findings += [
                        f"{username} [{language}] {path}: {problem}"
                        for problem in page_problems(page, language, catalogues[language])
                    ]
        finally:
            context.close()
    assert findings == [], "\n".join(findings)
