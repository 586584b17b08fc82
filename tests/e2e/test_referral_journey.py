"""Issue 3's journey in a real browser: register, consent, refer; receive, accept, complete."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from organisations.models import Service
from referrals.models import AccessLog, Referral
from tests.e2e.test_directory_in_three_languages import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page):
    page.click("summary")
    page.click("text=Sign out")


def test_a_person_is_referred_helped_and_the_loop_closed(page, live_server, tmp_path):
    call_command("seed_demo", force=True, verbosity=0)

    # cso1.worker registers a person, records consent for the municipality and refers them.
    sign_in(page, live_server, "cso1.worker")
    page.click("nav >> text=Cases")
    page.click("text=Register a person")
    page.fill("input[name=given_name]", "Amadou")
    page.select_option("select[name=age_band]", "18-25")
    page.check("input[name=vulnerabilities][value=medical_need]")
    page.fill("textarea[name=notes]", "Private note that never leaves the CSO")
    page.click("form.stacked button[type=submit]")
    assert "is registered as" in page.inner_text(".messages")
    case_url = page.url

    page.click("text=Record consent")
    page.select_option("select[name=recipient]", label="Municipality of Sfax")
    page.check("input[name=fields][value=given_name]")
    page.check("input[name=fields][value=vulnerabilities]")
    page.click("details.card button[type=submit]")
    assert "consent was recorded" in page.inner_text(".messages")

    page.click("a.button:text('Refer')")
    service = Service.objects.get(name="Municipal health centre")
    page.select_option("select[name=service]", str(service.pk))
    page.select_option("select[name=urgency]", "high")
    page.fill("textarea[name=reason]", "Needs a doctor this week.")
    page.click("button[name=send]")
    assert "The referral was sent." in page.inner_text(".messages")
    referral = Referral.objects.get(case__given_name="Amadou")
    assert referral.state == "submitted"
    sign_out(page)

    # muni.staff finds it in the inbox; opening it acknowledges it; accept, start, complete.
    sign_in(page, live_server, "muni.staff")
    page.click("nav >> text=Referrals")
    page.click(f"text=#{referral.pk}")
    assert "Amadou" in page.inner_text("main")
    assert "Private note" not in page.content()
    referral.refresh_from_db()
    assert referral.state == "acknowledged"
    page.click("form:has(button:text('Accept')) button")
    page.click("form:has(button:text('Start')) button")
    page.select_option("select[name=outcome]", "provided")
    page.fill("textarea[name=note]", "Seen by the doctor; treatment given.")
    page.click("form:has(button:text('Record the outcome')) button")
    referral.refresh_from_db()
    assert referral.state == "completed"
    sign_out(page)

    # cso1.worker sees the outcome in the outbox and in the timeline.
    sign_in(page, live_server, "cso1.worker")
    page.goto(f"{live_server.url}/referrals/?box=outbox")
    assert "Service provided" in page.inner_text(f"tr:has(a:text('#{referral.pk}'))")
    page.click(f"text=#{referral.pk}")
    timeline = page.inner_text(".timeline")
    for step in ("Submitted", "Received", "Accepted", "Started", "Completed"):
        assert step in timeline
    sign_out(page)

    # cso2.worker finds none of it anywhere.
    sign_in(page, live_server, "cso2.worker")
    for url in (case_url, f"{live_server.url}/referrals/{referral.pk}/"):
        response = page.goto(url)
        assert response.status == 404
    page.goto(f"{live_server.url}/referrals/?box=inbox")
    assert "Amadou" not in page.content()
    assert AccessLog.objects.filter(referral=referral, user__username="muni.staff").exists()
