"""Date and time pickers speak the browser's language; the page repeats the chosen value in its
own (issue 11: a phone set to English reading the French or Arabic site)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from coordination.models import CoordinationGroup
from tests.e2e.test_directory_in_three_languages import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# The browser is American English: its pickers say 03/03/2026 and 02:30 PM.
EXPECTED = {
    "en": ("Tuesday, 3 March 2026", "14:30"),
    "fr": ("mardi 3 mars 2026", "14:30"),
    "ar": ("الثلاثاء، 3 مارس 2026", "14:30"),
}


def test_the_meeting_form_repeats_date_and_time_in_the_page_language(browser, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    group = CoordinationGroup.objects.get(name="Sfax migration coordination")
    context = browser.new_context(locale="en-US", viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, "io.coordinator")
    for language, (date, time) in EXPECTED.items():
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/coordination/groups/{group.pk}/meetings/new/")
        date_input, time_input = page.locator("#id_start_date"), page.locator("#id_start_time")
        date_input.fill("2026-03-03")
        time_input.fill("14:30")
        assert page.locator("#id_start_date-echo").inner_text() == date, language
        assert page.locator("#id_start_time-echo").inner_text() == time, language
        # Read out with the field, after its own help.
        assert "id_start_date-echo" in date_input.get_attribute("aria-describedby").split()
        date_input.fill("")
        assert not page.locator("#id_start_date-echo").is_visible()
    context.close()
