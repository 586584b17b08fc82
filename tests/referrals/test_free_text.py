"""Free text is personal data (issue: trust hardening, item 2).

The reason, notes, justifications and comments follow ``shared_data``: the parties read them
while their organisation holds the personal data; the receiver loses them when consent is
withdrawn, the referral is withdrawn or retention ends (the structured outcome stays); a
moderator reads none of it; the web page, the API detail and ``/events/`` agree; every read is
in the access log; no comment form where one can no longer write.
"""

from __future__ import annotations

import pytest
from django.test import Client

from config.errors import NotAllowed
from referrals import services
from referrals.models import AccessLog, Consent, State
from tests.referrals.conftest import get, post

SECRET = "Sleeps behind the Bab Diwan gate"


def page(user, referral) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def with_comment(world, state=State.ACCEPTED):
    referral = world.referral(state)
    services.referral_comment(referral_id=referral.pk, actor=world.sender_worker, text=SECRET)
    return referral


def everything(user, referral) -> str:
    detail = get(user, f"/api/v1/referrals/{referral.pk}/")
    events = get(user, f"/api/v1/referrals/{referral.pk}/events/")
    return f"{detail.content.decode()} {events.content.decode()} {page(user, referral)}"


def test_the_parties_read_the_free_text_everywhere_alike(world):
    referral = with_comment(world)
    for user in (world.sender_worker, world.receiver_worker):
        assert SECRET in get(user, f"/api/v1/referrals/{referral.pk}/events/").content.decode()
        assert SECRET in page(user, referral)
        assert (
            get(user, f"/api/v1/referrals/{referral.pk}/").data["reason"] == "Needs a bed tonight"
        )


def test_withdrawing_the_referral_takes_the_free_text_from_the_receiver(world):
    referral = with_comment(world)
    services.referral_withdraw(referral_id=referral.pk, actor=world.sender_worker, reason="Moved")
    text = everything(world.receiver_worker, referral)
    assert SECRET not in text
    assert "Needs a bed tonight" not in text
    assert "Moved" not in text
    assert SECRET in everything(world.sender_worker, referral)


def test_withdrawing_consent_takes_the_free_text_from_the_receiver(world):
    referral = with_comment(world, State.IN_PROGRESS)
    consent = Consent.objects.get(case=referral.case, recipient=world.receiver)
    services.consent_withdraw(consent=consent, actor=world.sender_worker)
    text = everything(world.receiver_worker, referral)
    assert SECRET not in text
    assert "Needs a bed tonight" not in text


def test_retention_takes_the_notes_and_keeps_the_outcome(world):
    referral = world.referral(State.COMPLETED)
    services.referral_end_retention(referral_id=referral.pk)
    detail = get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/").data
    assert detail["outcome"] == "provided"
    assert detail["outcome_note"] is None
    assert "Bed found" not in page(world.receiver_worker, referral)


def test_a_moderator_reads_what_moderation_needs_and_no_free_text(world):
    referral = world.draft(actor=world.unverified_worker)
    post(world.unverified_worker, f"/api/v1/referrals/{referral.pk}/submit/", {"comment": SECRET})
    detail = get(world.coordinator, f"/api/v1/referrals/{referral.pk}/")
    assert detail.status_code == 200
    assert detail.data["reason"] is None
    assert detail.data["shared_data"] is None
    assert detail.data["from_organisation_name"] == world.unverified.name
    assert detail.data["service_category"] == "emergency_shelter"
    box = get(world.coordinator, "/api/v1/referrals/?box=moderation").data["results"]
    assert box[0]["reason"] is None
    events = get(world.coordinator, f"/api/v1/referrals/{referral.pk}/events/")
    assert events.status_code == 200
    assert SECRET not in events.content.decode()
    html = page(world.coordinator, referral)
    assert SECRET not in html
    assert "Needs a bed tonight" not in html
    assert f'action="/referrals/{referral.pk}/comment/"' not in html


def test_every_read_of_free_text_is_in_the_access_log(world):
    referral = with_comment(world)
    AccessLog.objects.all().delete()
    get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/events/")
    assert AccessLog.objects.filter(user=world.receiver_worker, referral=referral).count() == 1
    get(world.coordinator, "/api/v1/referrals/?box=moderation")
    assert not AccessLog.objects.filter(user=world.coordinator).exists()


@pytest.mark.parametrize("how", ["withdrawn", "retention"])
def test_no_comment_form_nor_comment_once_one_can_no_longer_write(world, how):
    referral = world.referral(State.COMPLETED if how == "retention" else State.ACCEPTED)
    if how == "withdrawn":
        services.referral_withdraw(referral_id=referral.pk, actor=world.sender_worker, reason="x")
    else:
        services.referral_end_retention(referral_id=referral.pk)
    assert f'action="/referrals/{referral.pk}/comment/"' not in page(
        world.receiver_worker, referral
    )
    with pytest.raises(NotAllowed):
        services.referral_comment(referral_id=referral.pk, actor=world.receiver_worker, text="hi")
    client = Client()
    client.force_login(world.receiver_worker)
    client.post(f"/referrals/{referral.pk}/comment/", {"comment": "hi"})
    assert not referral.events.filter(name="commented").exists()
    assert f'action="/referrals/{referral.pk}/comment/"' in page(world.sender_worker, referral)
