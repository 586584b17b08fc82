"""The README's screenshots: the main pages in English and Arabic, on a desktop and on a phone,
from the demo world (``make screenshots`` writes them to docs/screenshots/). Not part of the
suite (the file is named so that pytest collects it only when asked)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from referrals.models import Case, Referral
from tests.e2e.test_directory_in_three_languages import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1366, "height": 860}, "phone": {"width": 360, "height": 740}}


def _pages(live_server) -> dict[str, tuple[str, str]]:
    case = Case.objects.filter(owner__name="Sfax Solidarity Network").order_by("pk").first()
    referral = Referral.objects.filter(from_organisation__name="Sfax Solidarity Network").first()
    return {
        "home": ("cso1.worker", "/"),
        "refer": ("cso1.worker", f"/cases/{case.pk}/refer/"),
        "referral": ("muni.staff", f"/referrals/{referral.pk}/"),
        "meeting": ("io.coordinator", "/coordination/meetings/"),
    }


def test_take_the_screenshots(browser, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    OUT.mkdir(parents=True, exist_ok=True)
    host = live_server.url.split("//")[1].split(":")[0]
    for name, (username, path) in _pages(live_server).items():
        for size, viewport in SIZES.items():
            for language in ("en", "ar"):
                context = browser.new_context(
                    viewport=viewport, is_mobile=size == "phone", device_scale_factor=1
                )
                page = context.new_page()
                sign_in(page, live_server, username)
                context.add_cookies(
                    [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
                )
                page.goto(live_server.url + path)
                page.screenshot(path=OUT / f"{name}-{size}-{language}.png")
                context.close()
