"""A referral off the platform recorded in a real browser, and its slip printed in Arabic on one
A4 page, right to left, with the QR code of the case reference; the PDF, a picture of the PDF
(poppler's pdftoppm) and one of the printed page are kept in the tests' artefacts
(``var/artefacts/``, or ``TEST_ARTEFACTS``)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from django.core.management import call_command

from referrals.models import Case, ExternalReferral
from tests.e2e.test_directory_in_three_languages import sign_in
from tests.e2e.test_mechanism_print import ARTEFACTS, pages_in

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_an_off_platform_referral_and_its_slip_print_in_arabic(browser, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="en-GB", viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "cso1.worker")
        case = Case.objects.filter(owner__name="Sfax Solidarity Network").order_by("pk").first()
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        with page.expect_navigation():
            page.click("text=Refer off the platform")
        page.select_option("select[name=service_category]", "legal_aid")
        page.fill("input[name=name]", "Avocats sans frontières")
        page.fill("input[name=address]", "5 rue Ali Belhouane")
        page.fill("input[name=phone]", "+216 74 111 222")
        page.fill("input[name=opening_hours]", "Mo-Fr 09:00-13:00; PH off")
        page.check("input[name=printed_fields][value=given_name]")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        referral = ExternalReferral.objects.get()
        assert page.url.endswith(f"/external-referrals/{referral.pk}/")

        page.goto(f"{live_server.url}/external-referrals/{referral.pk}/slip/?language=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator(".slip-qr svg").is_visible()
        assert case.reference in page.locator(".slip").inner_text()
        page.emulate_media(media="print")
        assert not page.locator(".slip-tools").is_visible()
        page.screenshot(path=str(ARTEFACTS / "slip-ar-page.png"), full_page=True)
        pdf = page.pdf(format="A4", print_background=True)
        (ARTEFACTS / "slip-ar.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF")
        assert pages_in(pdf) == 1
        picture_of_the_pdf(ARTEFACTS / "slip-ar.pdf")
        # The QR code stands at the left in Arabic (the title at the right).
        qr = page.locator(".slip-qr").bounding_box()
        title = page.locator(".slip-head h1").bounding_box()
        assert qr["x"] < title["x"]
    finally:
        context.close()


def picture_of_the_pdf(pdf) -> None:
    """The PDF itself rendered to a PNG, as a reader would see it (CI installs poppler-utils)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        if os.environ.get("CI"):
            pytest.fail("CI prints the slip to a picture but pdftoppm (poppler-utils) is missing")
        return
    subprocess.run(  # noqa: S603 - poppler's tool on our own file
        [pdftoppm, "-png", "-r", "80", "-singlefile", str(pdf), str(pdf.with_suffix(""))],
        check=True,
    )
    assert pdf.with_suffix(".png").stat().st_size > 5_000
