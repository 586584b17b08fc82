"""Issue 4's journey in a real browser: a monthly meeting is scheduled, members see it and
subscribe to it, and after the meeting its attendance, minutes and action items are recorded."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from coordination.models import ActionItem
from tests.e2e.test_directory_in_three_languages import sign_in
from tests.e2e.test_referral_journey import sign_out

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "Winter shelter coordination"


def last_first_tuesday() -> datetime.date:
    """The most recent first Tuesday of a month strictly before today."""
    today = timezone.localdate()
    month = today.replace(day=1)
    while True:
        first_tuesday = month + datetime.timedelta(days=(1 - month.weekday()) % 7)
        if first_tuesday < today:
            return first_tuesday
        month = (month - datetime.timedelta(days=1)).replace(day=1)


def test_a_monthly_meeting_from_scheduling_to_action_items(page, live_server, browser):
    call_command("seed_demo", force=True, verbosity=0)
    first = last_first_tuesday()

    # The coordinator schedules a monthly series (first Tuesday, 10:00 Tunis).
    sign_in(page, live_server, "io.coordinator")
    page.click("nav >> text=Coordination")
    page.click("text=Sfax migration coordination")
    page.click("text=Schedule a meeting")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=start_date]", first.isoformat())
    page.fill("input[name=start_time]", "10:00")
    page.check("input[name=repeat][value=monthly]")
    page.fill("input[name=place]", "Town hall, room 2")
    page.click("main form button[type=submit]")
    assert TITLE in page.inner_text("h1")
    # The confirmation is the meeting scheduled, already over: not the next one of the series.
    stamp = f"{first:%Y%m%d}T090000Z"  # 10:00 in Tunis is 09:00 UTC
    assert page.url.endswith(f"/{stamp}/")
    sitting_url = page.url
    sign_out(page)

    # A member sees it among the upcoming meetings and subscribes to the personal feed.
    sign_in(page, live_server, "cso2.worker")
    page.goto(f"{live_server.url}/coordination/meetings/")
    assert TITLE in page.inner_text("main")
    page.goto(f"{live_server.url}/coordination/calendar-feed/")
    page.click("text=Create my calendar address")
    feed_url = page.input_value("#feed-url")
    anonymous = browser.new_context()
    feed = anonymous.request.get(feed_url)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    assert TITLE in body
    assert "RRULE:FREQ=MONTHLY;BYDAY=1TU" in body
    assert "TZID=Africa/Tunis" in body
    anonymous.close()
    sign_out(page)

    # After the first meeting the coordinator records attendance, minutes and an action item.
    sign_in(page, live_server, "io.coordinator")
    page.goto(sitting_url)
    page.click("text=Record who came")
    page.check("input[name=present] >> nth=0")
    page.check("input[name=present] >> nth=1")
    page.click("text=Record attendance")
    page.click("text=Write the minutes")
    page.fill("textarea[name=minutes]", "# Shelter\n\n- **Two** new places from Monday")
    page.click("main form button[type=submit]")
    assert page.locator("h1:text('Shelter'), h2:text('Shelter'), h3:text('Shelter')").count() >= 1
    page.click("text=Add an action item")
    page.fill("#action_title", "Map the empty buildings")
    page.select_option("#action_owner_organisation", label="Legal Aid Sfax")
    page.fill(
        "input[name=due_on]", (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    )
    page.click("text=Add the action item")
    assert ActionItem.objects.filter(title="Map the empty buildings").exists()
    sign_out(page)

    # The member organisation sees its action item.
    sign_in(page, live_server, "cso2.worker")
    page.goto(f"{live_server.url}/coordination/actions/")
    assert "Map the empty buildings" in page.inner_text("main")
