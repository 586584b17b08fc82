"""Issue 3's journey in a real browser, walked on a phone in English, French and Arabic (issue
11): register a person, refer them (the consent asked for on the spot), receive, accept, put on
hold until a date, resume and complete; the sender reads the outcome, nobody else reads anything.
Every page on the way passes the crawl's checks."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from organisations.models import Service
from referrals.models import AccessLog, Case, EventName, Outcome, Referral, State
from tests.e2e.journey import Walk

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Needs a doctor this week."


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_a_person_is_referred_helped_and_the_loop_closed(browser, live_server, language):
    call_command("seed_demo", force=True, verbosity=0)
    walk = Walk(browser, live_server, language)
    page, t = walk.page, walk.t

    # cso1.worker registers a person and refers them to the municipal health centre.
    walk.sign_in("cso1.worker")
    walk.check("home")
    walk.menu("Cases")
    walk.check("cases")
    walk.button("Register a person")
    page.fill("input[name=given_name]", "Amadou")
    page.select_option("select[name=age_band]", "18-25")
    page.check("input[name=vulnerabilities][value=medical_need]")
    page.fill("textarea[name=notes]", "Private note that never leaves the CSO")
    walk.tap("main form.stacked button[type=submit]")
    case = Case.objects.get(given_name="Amadou")
    page.wait_for_url(f"**/cases/{case.pk}/")
    walk.check("registered")

    walk.button("Refer")
    service = Service.objects.get(name="Municipal health centre")
    page.select_option("select[name=service]", str(service.pk))
    page.select_option("select[name=urgency]", "high")
    page.fill("textarea[name=reason]", REASON)
    walk.tap("button[name=send]")

    # No consent for the municipality yet: nothing is created, it is asked for on the spot,
    # and what was typed is still there.
    consent = page.locator(".consent-needed")
    assert consent.is_visible()
    assert not Referral.objects.filter(case=case).exists()
    assert page.input_value("textarea[name=reason]") == REASON
    walk.check("consent asked")
    consent.locator("input[value=given_name]").check()
    consent.locator("input[value=vulnerabilities]").check()
    walk.tap("button[name=record_consent]")
    assert case.consents.get().fields == ["given_name", "vulnerabilities"]
    assert not page.locator(".consent-needed").count()
    assert page.input_value("textarea[name=reason]") == REASON
    walk.check("consent recorded")
    walk.tap("button[name=send]")
    referral = Referral.objects.get(case=case)
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    assert t("The referral was sent.") in walk.messages()
    assert referral.state == State.SUBMITTED
    walk.check("sent")
    walk.sign_out()

    # muni.staff finds it in the inbox; opening it acknowledges it.
    walk.sign_in("muni.staff")
    walk.menu("Referrals")
    walk.check("inbox")
    walk.tap(page.locator("main a", has_text=f"#{referral.pk}").first)
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    assert "Amadou" in page.inner_text("main")
    assert "Private note" not in page.content()
    referral.refresh_from_db()
    assert referral.state == State.ACKNOWLEDGED
    walk.check("received")

    # Accept, start, put on hold until a date (read back in the page's language), resume, and
    # record the outcome.
    walk.button("Accept")
    walk.check("accepted")
    walk.button("Start")
    expected = timezone.localdate() + datetime.timedelta(days=9)
    page.fill("#hold_expected_date", expected.isoformat())
    walk.date_echo("hold_expected_date", expected)
    walk.check("in progress")
    walk.button("Put on hold")
    referral.refresh_from_db()
    assert referral.state == State.ON_HOLD
    assert referral.expected_date == expected
    walk.check("on hold")
    walk.button("Resume")
    page.select_option("select[name=outcome]", Outcome.PROVIDED)
    page.fill("textarea[name=note]", "Seen by the doctor; treatment given.")
    walk.button("Record the outcome")
    referral.refresh_from_db()
    assert referral.state == State.COMPLETED
    walk.check("completed")
    walk.sign_out()

    # cso1.worker reads the outcome in the outbox and the steps in the timeline.
    walk.sign_in("cso1.worker")
    walk.go("/referrals/?box=outbox")
    row = page.locator("main tr, main li").filter(has_text=f"#{referral.pk}").first
    assert t("Service provided") in row.inner_text()
    walk.check("outbox")
    walk.tap(page.locator("main a", has_text=f"#{referral.pk}").first)
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    for step in (
        EventName.SUBMITTED,
        EventName.ACKNOWLEDGED,
        EventName.ACCEPTED,
        EventName.STARTED,
        EventName.PUT_ON_HOLD,
        EventName.RESUMED,
        EventName.COMPLETED,
    ):
        with translation.override(language):
            label = str(step.label)
        assert label[0].upper() + label[1:] in page.inner_text(f".timeline .event-{step.value}")
    walk.check("closed loop")
    walk.sign_out()

    # cso2.worker finds none of it anywhere.
    walk.sign_in("cso2.worker")
    for path in (f"/cases/{case.pk}/", f"/referrals/{referral.pk}/"):
        assert walk.go(path).status == 404
        walk.check("not found")
    walk.go("/referrals/?box=inbox")
    assert "Amadou" not in page.content()
    assert AccessLog.objects.filter(referral=referral, user__username="muni.staff").exists()
    walk.close()
    assert not walk.findings, "\n".join(walk.findings)
