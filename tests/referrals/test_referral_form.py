"""The referral form as a caseworker meets it (issue 11): one way to choose the recipient, which
organisations the person's consent covers, sending without consent that creates nothing and asks
for the consent on the spot, the emergency override offered to supervisors only, drafts that can
be thrown away."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from organisations.models import CapacityStatus
from referrals.models import Consent, Referral, State
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

REASON = "Sleeps at the port since Monday"


def _refer_url(case) -> str:
    return f"/cases/{case.pk}/refer/"


def _to_receiver(world, **extra) -> dict:
    return {
        "route": "organisation",
        "to_organisation": world.receiver.pk,
        "service_category": "emergency_shelter",
        "urgency": "normal",
        "reason": REASON,
        "send": "1",
        **extra,
    }


def _option_label(page: str, select: str, value: int) -> str:
    options = re.search(rf'<select name="{select}".*?</select>', page, re.S)
    assert options, select
    match = re.search(rf'<option value="{value}"[^>]*>([^<]*)</option>', options.group(0))
    assert match, value
    return match.group(1)


# Sending without consent -----------------------------------------------------------------------


def test_sending_without_consent_creates_nothing_and_asks_for_it_keeping_what_was_typed(
    world, client
):
    case = world.case(consent_to=())
    client.force_login(world.sender_worker)

    response = client.post(_refer_url(case), _to_receiver(world))

    assert response.status_code == 200
    assert not Referral.objects.filter(case=case).exists()  # no stray draft
    page = response.content.decode()
    assert f"No consent to share with <bdi>{escape(world.receiver.name)}</bdi>" in page
    assert 'name="record_consent"' in page
    assert 'name="consent-fields"' in page
    assert REASON in page  # what was typed is still there
    # A caseworker is not offered what only a supervisor may do.
    assert 'name="override_justification"' not in page
    assert "Only a supervisor may share without consent" in page


def test_consent_recorded_on_the_form_covers_the_recipient_and_the_referral_then_goes(
    world, client
):
    case = world.case(consent_to=())
    client.force_login(world.sender_worker)
    form = _to_receiver(world, send="", record_consent="1")
    form["consent-fields"] = ["given_name", "languages"]

    recorded = client.post(_refer_url(case), form)

    assert recorded.status_code == 200
    consent = Consent.objects.get(case=case)
    assert consent.recipient == world.receiver
    assert consent.fields == ["given_name", "languages"]
    assert not Referral.objects.filter(case=case).exists()  # checked and sent by the person
    page = recorded.content.decode()
    assert REASON in page
    assert 'name="record_consent"' not in page

    sent = client.post(_refer_url(case), _to_receiver(world))

    assert sent.status_code == 302
    referral = Referral.objects.get(case=case)
    assert referral.state == State.SUBMITTED
    assert referral.consent == consent
    assert set(referral.shared_data) == {"reference", "given_name", "languages"}


def test_consent_asked_on_the_form_needs_at_least_one_field(world, client):
    case = world.case(consent_to=())
    client.force_login(world.sender_worker)

    response = client.post(_refer_url(case), _to_receiver(world, send="", record_consent="1"))

    assert response.status_code == 200
    assert not Consent.objects.filter(case=case).exists()
    assert 'id="id_consent-fields_error"' in response.content.decode()


def test_a_supervisor_may_send_without_consent_with_a_justification(world, client):
    case = world.case(actor=world.sender_supervisor, consent_to=())
    client.force_login(world.sender_supervisor)

    asked = client.post(_refer_url(case), _to_receiver(world))
    assert 'name="override_justification"' in asked.content.decode()
    assert not Referral.objects.filter(case=case).exists()

    too_short = client.post(_refer_url(case), _to_receiver(world, override_justification="now"))
    assert too_short.status_code == 200
    assert 'id="id_override_justification_error"' in too_short.content.decode()
    assert not Referral.objects.filter(case=case).exists()  # nothing half-written

    justification = "Child alone at the port at night, nobody to ask"
    sent = client.post(_refer_url(case), _to_receiver(world, override_justification=justification))

    assert sent.status_code == 302
    referral = Referral.objects.get(case=case)
    assert referral.state == State.SUBMITTED
    assert referral.override_justification == justification
    assert referral.override_by == world.sender_supervisor


def test_a_caseworker_cannot_smuggle_an_override_into_the_form(world, client):
    case = world.case(consent_to=())
    client.force_login(world.sender_worker)

    response = client.post(_refer_url(case), _to_receiver(world, override_justification="x" * 60))

    assert response.status_code == 200
    assert not Referral.objects.filter(case=case).exists()


def test_a_draft_may_still_be_kept_without_consent(world, client):
    case = world.case(consent_to=())
    client.force_login(world.sender_worker)

    response = client.post(_refer_url(case), _to_receiver(world, send="", draft="1"))

    assert response.status_code == 302
    assert Referral.objects.get(case=case).state == State.DRAFT


# Choosing the recipient --------------------------------------------------------------------------


def test_the_recipient_choices_say_which_organisations_the_consent_covers(world, client):
    case = world.case(consent_to=(world.receiver,))
    covered = ServiceFactory(organisation=world.receiver, category="health")
    other = ServiceFactory(organisation=world.third, category="health")
    client.force_login(world.sender_worker)

    page = client.get(_refer_url(case)).content.decode()

    assert _option_label(page, "to_organisation", world.receiver.pk).endswith("consent recorded")
    assert not _option_label(page, "to_organisation", world.third.pk).endswith("consent recorded")
    assert _option_label(page, "service", covered.pk).endswith("consent recorded")
    assert not _option_label(page, "service", other.pk).endswith("consent recorded")


def test_when_both_ways_are_filled_in_the_radio_decides(world, client):
    case = world.case(consent_to=(world.receiver, world.third))
    service = ServiceFactory(organisation=world.third, category="health")
    client.force_login(world.sender_worker)

    client.post(_refer_url(case), _to_receiver(world, service=service.pk))

    referral = Referral.objects.get(case=case)
    assert referral.to_organisation == world.receiver
    assert referral.service is None
    assert referral.service_category == "emergency_shelter"


def test_when_only_one_way_is_filled_in_it_is_the_one_meant(world, client):
    case = world.case(consent_to=(world.receiver, world.third))
    service = ServiceFactory(organisation=world.third, category="health")
    client.force_login(world.sender_worker)
    # The radio left on "an organisation", but only a service chosen.
    form = {"route": "organisation", "service": service.pk, "urgency": "normal"}

    client.post(_refer_url(case), {**form, "reason": REASON, "send": "1"})

    referral = Referral.objects.get(case=case)
    assert (referral.to_organisation, referral.service) == (world.third, service)
    assert referral.service_category == "health"


def test_choosing_nothing_says_what_to_choose_on_the_field(world, client):
    case = world.case()
    client.force_login(world.sender_worker)

    page = client.post(
        _refer_url(case), {"urgency": "normal", "reason": REASON, "send": "1"}
    ).content.decode()

    assert 'id="id_service_error"' in page
    assert 'aria-describedby="id_service_error"' in page
    assert 'aria-invalid="true"' in page
    assert not Referral.objects.filter(case=case).exists()


def test_a_full_service_still_asks_for_confirmation_after_consent(world, client):
    case = world.case(consent_to=(world.third,))
    full = ServiceFactory(
        organisation=world.third, category="health", capacity_status=CapacityStatus.FULL
    )
    client.force_login(world.sender_worker)
    form = {"service": full.pk, "urgency": "normal", "reason": REASON, "send": "1"}

    asked = client.post(_refer_url(case), form)

    assert asked.status_code == 200
    assert not Referral.objects.filter(case=case).exists()
    assert client.post(_refer_url(case), {**form, "confirm_warnings": "on"}).status_code == 302
    assert Referral.objects.get(case=case).state == State.SUBMITTED


# A draft's page ----------------------------------------------------------------------------------


def test_a_draft_without_consent_asks_a_caseworker_for_it_and_a_supervisor_may_override(
    world, client
):
    case = world.case(consent_to=())
    draft = world.draft(case=case)
    url = f"/referrals/{draft.pk}/"

    client.force_login(world.sender_worker)
    page = client.get(url).content.decode()
    assert f'action="/referrals/{draft.pk}/consent/"' in page
    assert 'name="override_justification"' not in page
    assert f'action="/referrals/{draft.pk}/submit/"' not in page  # it could only fail

    client.force_login(world.sender_supervisor)
    page = client.get(url).content.decode()
    assert 'name="override_justification"' in page


def test_consent_recorded_from_a_draft_lets_it_be_sent(world, client):
    case = world.case(consent_to=())
    draft = world.draft(case=case)
    client.force_login(world.sender_worker)

    response = client.post(f"/referrals/{draft.pk}/consent/", {"consent-fields": ["age_band"]})

    assert response.status_code == 302
    assert Consent.objects.get(case=case).recipient == world.receiver
    page = client.get(f"/referrals/{draft.pk}/").content.decode()
    assert f'action="/referrals/{draft.pk}/submit/"' in page
    assert client.post(f"/referrals/{draft.pk}/submit/").status_code == 302
    assert set(Referral.objects.get(pk=draft.pk).shared_data) == {"reference", "age_band"}


def test_a_draft_consent_without_fields_comes_back_on_the_page_with_its_error(world, client):
    case = world.case(consent_to=())
    draft = world.draft(case=case)
    client.force_login(world.sender_worker)

    response = client.post(f"/referrals/{draft.pk}/consent/", {})

    assert response.status_code == 400
    assert not Consent.objects.filter(case=case).exists()
    page = response.content.decode()
    assert 'id="id_consent-fields_error"' in page
    assert re.search(r'aria-describedby="[^"]*\bid_consent-fields_error\b', page)
    assert '<ul class="messages"' not in page


def test_the_receiver_cannot_record_the_senders_consent(world, client):
    referral = world.referral(State.SUBMITTED)  # the receiver reads it, not the case
    client.force_login(world.receiver_worker)

    response = client.post(f"/referrals/{referral.pk}/consent/", {"consent-fields": ["phone"]})

    assert response.status_code == 404
    assert Consent.objects.filter(case=referral.case_id).count() == 1


# Discarding a draft ------------------------------------------------------------------------------


def test_a_draft_is_discarded_and_nothing_of_it_kept(world, client):
    draft = world.draft()
    client.force_login(world.sender_worker)
    page = client.get(f"/referrals/{draft.pk}/").content.decode()
    assert f'action="/referrals/{draft.pk}/discard/"' in page
    assert f'action="/referrals/{draft.pk}/withdraw/"' not in page  # one way out of a draft

    response = client.post(f"/referrals/{draft.pk}/discard/")

    assert response.status_code == 302
    assert response.url == f"/cases/{draft.case_id}/"
    assert not Referral.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("who", ["receiver_worker", "third_worker"])
def test_nobody_else_discards_a_draft(world, client, who):
    draft = world.draft()
    client.force_login(getattr(world, who))

    assert client.post(f"/referrals/{draft.pk}/discard/").status_code == 404
    assert Referral.objects.filter(pk=draft.pk).exists()


def test_a_sent_referral_is_not_discarded(world, client):
    referral = world.referral(State.SUBMITTED)
    client.force_login(world.sender_worker)

    response = client.post(f"/referrals/{referral.pk}/discard/", follow=True)

    assert Referral.objects.get(pk=referral.pk).state == State.SUBMITTED
    assert "is not possible while the referral is" in response.content.decode()
    assert f'action="/referrals/{referral.pk}/discard/"' not in response.content.decode()


# Recording consent on the case's page ---------------------------------------------------------


def test_a_consent_missing_its_fields_comes_back_open_as_typed_with_the_error_on_the_field(
    world, client
):
    case = world.case(consent_to=())
    client.force_login(world.sender_worker)

    response = client.post(f"/cases/{case.pk}/consents/", {"recipient": world.receiver.pk})

    assert response.status_code == 400
    assert not Consent.objects.filter(case=case).exists()
    page = response.content.decode()
    assert re.search(r'<details class="card" id="record-consent" open>', page)
    assert re.search(rf'<option value="{world.receiver.pk}" selected>', page)
    # The error is said next to the boxes and tied to them, not in a message above the page.
    assert re.search(r'id="id_fields_error"', page)
    assert re.search(r'aria-describedby="[^"]*\bid_fields_error\b', page)
    assert '<ul class="messages"' not in page


def test_a_consent_recorded_on_the_case_page_redirects_to_it(world, client):
    case = world.case(consent_to=())
    client.force_login(world.sender_worker)

    response = client.post(
        f"/cases/{case.pk}/consents/", {"recipient": world.receiver.pk, "fields": ["given_name"]}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert Consent.objects.get(case=case).recipient == world.receiver
