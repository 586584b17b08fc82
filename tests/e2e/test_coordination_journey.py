"""Issue 4's journey in a real browser, walked on a phone in English, French and Arabic (issue
11): a monthly meeting is scheduled, members see it and subscribe to it, and after the meeting
its attendance, minutes, a decision and action items are recorded (a mistake in a form comes back
as typed, with the error on its field); the member hears of its action item at the bell. Every
page on the way passes the crawl's checks."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from coordination.models import ActionItem, Meeting
from tests.e2e.journey import Walk

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "Winter shelter coordination"
GROUP = "Sfax migration coordination"


def last_first_tuesday() -> datetime.date:
    """The most recent first Tuesday of a month strictly before today."""
    today = timezone.localdate()
    month = today.replace(day=1)
    while True:
        first_tuesday = month + datetime.timedelta(days=(1 - month.weekday()) % 7)
        if first_tuesday < today:
            return first_tuesday
        month = (month - datetime.timedelta(days=1)).replace(day=1)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_a_monthly_meeting_from_scheduling_to_action_items(browser, live_server, language):
    call_command("seed_demo", force=True, verbosity=0)
    first = last_first_tuesday()
    walk = Walk(browser, live_server, language)
    page = walk.page

    # The coordinator schedules a monthly series (first Tuesday, 10:00 Tunis).
    walk.sign_in("io.coordinator")
    walk.menu("Coordination")
    walk.check("groups")
    walk.tap(page.locator("main a", has_text=GROUP).first)
    walk.check("group")
    walk.button("Schedule a meeting")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=start_date]", first.isoformat())
    page.fill("input[name=start_time]", "10:00")
    # The pickers speak the phone's language; the page repeats the date and time in its own.
    walk.date_echo("id_start_date", first)
    assert page.locator("#id_start_time-echo").inner_text() == "10:00"
    page.check("input[name=repeat][value=monthly]")
    page.fill("input[name=place]", "Town hall, room 2")
    walk.check("meeting form")
    walk.tap("main form button[type=submit]")
    assert TITLE in page.inner_text("h1")
    # The confirmation is the meeting scheduled, already over: not the next one of the series.
    stamp = f"{first:%Y%m%d}T090000Z"  # 10:00 in Tunis is 09:00 UTC
    assert page.url.endswith(f"/{stamp}/")
    assert Meeting.objects.get(title=TITLE).rrule.startswith("FREQ=MONTHLY")
    sitting_path = walk.path
    walk.check("scheduled")
    walk.sign_out()

    # A member sees it among the upcoming meetings and subscribes to the personal feed.
    walk.sign_in("cso2.worker")
    walk.go("/coordination/meetings/")
    assert TITLE in page.inner_text("main")
    walk.check("meetings")
    walk.go("/coordination/calendar-feed/")
    walk.button("Create my calendar address")
    walk.check("feed")
    feed = walk.context.request.get(page.input_value("#feed-url"))
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    assert TITLE in body
    assert "RRULE:FREQ=MONTHLY;BYDAY=1TU" in body
    assert "TZID=Africa/Tunis" in body
    walk.sign_out()

    # After the first meeting the coordinator records attendance, minutes, a decision and an
    # action item.
    walk.sign_in("io.coordinator")
    walk.go(sitting_path)
    walk.button("Record who came", kind="summary")
    page.check("input[name=present] >> nth=0")
    page.check("input[name=present] >> nth=1")
    walk.button("Record attendance")
    walk.check("attendance")
    walk.button("Write the minutes")
    page.fill("textarea[name=minutes]", "# Shelter\n\n- **Two** new places from Monday")
    walk.check("minutes form")
    walk.tap("main form button[type=submit]")
    assert page.locator("main h1, main h2, main h3").filter(has_text="Shelter").count() >= 1
    page.fill("textarea[name=text]", "The town hall opens a second shelter in January.")
    walk.button("Record the decision")
    assert "second shelter" in page.inner_text("main")
    walk.check("decision")

    # A mistake (no title) comes back as typed, the error said on its field.
    items = ActionItem.objects.count()
    walk.button("Add an action item", kind="summary")
    page.select_option("#action_owner_organisation", label="Legal Aid Sfax")
    due = timezone.localdate() + datetime.timedelta(days=10)
    page.fill("#action_due_on", due.isoformat())
    walk.button("Add the action item")
    title = page.locator("#action_title")
    assert title.get_attribute("aria-invalid") == "true"
    assert page.locator("#action_title_error").is_visible()
    assert page.input_value("#action_due_on") == due.isoformat()
    assert ActionItem.objects.count() == items
    walk.check("action item refused")
    title.fill("Map the empty buildings")
    walk.button("Add the action item")
    item = ActionItem.objects.get(title="Map the empty buildings")
    assert item.due_on == due
    assert item.owner_organisation.name == "Legal Aid Sfax"
    walk.check("action item added")
    walk.sign_out()

    # The member organisation hears of its action item at the bell, and finds it.
    walk.sign_in("cso2.worker")
    assert int(page.locator(".bell .count").inner_text()) >= 1
    walk.tap(".bell")
    assert "Map the empty buildings" in page.inner_text("main")
    walk.check("notifications")
    walk.go("/coordination/actions/")
    assert "Map the empty buildings" in page.inner_text("main")
    walk.check("my action items")
    walk.close()
    assert not walk.findings, "\n".join(walk.findings)
