"""Retention, subject access and erasure (trust issue, item 8): the person's rights over their
data, through the services, the web and the API."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.db import models
from django.test import Client
from django.utils import timezone

from config.errors import ValidationFailed
from coordination.permissions import group_sync
from referrals import permissions, privacy, services
from referrals.models import (
    AccessAction,
    AccessLog,
    AnonymisedReason,
    Case,
    Referral,
    ReferralEvent,
    State,
)
from referrals.tasks import case_retention_sweep_task
from tests.referrals.conftest import get, patch, post

# Distinct words in every place a person's data can be written, searched for everywhere after.
MARKERS = {
    "given_name": "Zubeidaqx",
    "phone": "+216 71 555 0199",
    "notes": "Qxnotes sleeps behind the fish market",
    "nationality_other": "Qxlandia",
    "reason": "Qxreason needs insulin",
    "sender_comment": "Qxsendercomment call her sister",
    "receiver_comment": "Qxreceivercomment seen at the port",
    "outcome_note": "Qxoutcome moved to Qxtown",
    "decline_note": "Qxdecline no room",
}


def everything_mentioning(needle: str) -> list[str]:
    """Every row of every table, in every text or JSON column, that contains the needle."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                rows = model._default_manager.filter(**{f"{field.attname}__icontains": needle})
                if rows.exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return found


def full_history(world, django_capture_on_commit_callbacks):
    """A person with data in every place: case, consents, two referrals (one open, one
    completed), comments on both sides, notifications and e-mails sent."""
    group_sync(world.group)
    with django_capture_on_commit_callbacks(execute=True):
        case = world.case(
            given_name=MARKERS["given_name"],
            phone=MARKERS["phone"],
            notes=MARKERS["notes"],
            nationality=MARKERS["nationality_other"],
            birth_year=1990,
            vulnerabilities=["medical"],
            consent_to=(world.receiver, world.third),
            fields=["given_name", "phone", "notes", "age_band", "languages"],
        )
        open_one = world.draft(case=case)
        Referral.objects.filter(pk=open_one.pk).update(reason=MARKERS["reason"])
        world.advance(open_one, State.ACCEPTED)
        services.referral_comment(
            referral_id=open_one.pk, actor=world.sender_worker, text=MARKERS["sender_comment"]
        )
        services.referral_comment(
            referral_id=open_one.pk, actor=world.receiver_worker, text=MARKERS["receiver_comment"]
        )
        done = world.draft(case=case, category="health")
        world.advance(done, State.IN_PROGRESS)
        services.referral_complete(
            referral_id=done.pk,
            actor=world.receiver_worker,
            outcome="provided",
            note=MARKERS["outcome_note"],
        )
        declined = world.draft(case=case, to=world.third, category="legal_aid")
        services.referral_submit(referral_id=declined.pk, actor=world.sender_worker)
        services.referral_decline(
            referral_id=declined.pk,
            actor=world.third_worker,
            reason="no_capacity",
            note=MARKERS["decline_note"],
        )
        services.referral_open(referral_id=open_one.pk, actor=world.receiver_worker)
    return Case.objects.get(pk=case.pk), open_one, done


# Subject access ---------------------------------------------------------------------------------


def test_subject_access_holds_everything_and_who_read_it(world, django_capture_on_commit_callbacks):
    case, open_one, _ = full_history(world, django_capture_on_commit_callbacks)
    response = get(world.sender_supervisor, f"/api/v1/cases/{case.pk}/subject-access/")
    assert response.status_code == 200, response.content
    text = json.dumps(response.json(), ensure_ascii=False)
    for marker in MARKERS.values():
        assert marker in text, marker
    data = response.json()
    assert data["case"]["birth_year"] == 1990
    assert {r["to_organisation"] for r in data["referrals"]} == {
        "Receiving Municipality",
        "Third CSO",
    }
    # The receiver's read of the shared data is listed, with who made it.
    readers = {(entry["by"], entry["referral"]) for entry in data["access_log"]}
    assert any(referral == open_one.pk for _, referral in readers)
    assert AccessLog.objects.filter(
        case=case, user=world.sender_supervisor, action=AccessAction.EXPORT, channel="api"
    ).exists()


def test_subject_access_is_for_supervisors_and_admins_of_the_owner(world):
    case = world.case()
    url = f"/api/v1/cases/{case.pk}/subject-access/"
    assert get(world.sender_admin, url).status_code == 200
    assert get(world.sender_worker, url).status_code == 403  # sees the case, may not decide
    for outsider in (
        world.receiver_supervisor,
        world.third_worker,
        world.coordinator,
        world.former,
    ):
        assert get(outsider, url).status_code in (401, 404), outsider
    assert get(None, url).status_code == 401
    assert get(world.sender_admin, "/api/v1/cases/999999999/subject-access/").status_code == 404
    assert (
        not AccessLog.objects.filter(case=case, action=AccessAction.EXPORT)
        .exclude(user=world.sender_admin)
        .exists()
    )


def test_printable_subject_access_page_and_json_download(world, client: Client):
    case = world.case(notes=MARKERS["notes"])
    client.force_login(world.sender_supervisor)
    page = client.get(f"/cases/{case.pk}/subject-access/")
    assert page.status_code == 200
    assert MARKERS["notes"] in page.content.decode()
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    download = client.get(f"/cases/{case.pk}/subject-access/?format=json")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["case"]["notes"] == MARKERS["notes"]
    assert (
        AccessLog.objects.filter(case=case, action=AccessAction.EXPORT, channel="web").count() == 2
    )
    client.force_login(world.sender_worker)
    assert client.get(f"/cases/{case.pk}/subject-access/").status_code == 403
    client.force_login(world.receiver_supervisor)
    assert client.get(f"/cases/{case.pk}/subject-access/").status_code == 404


def test_an_admin_finds_the_record_by_its_reference_only_in_their_organisation(world, client):
    case = world.case()
    other = world.case(actor=world.receiver_worker, consent_to=())
    client.force_login(world.sender_admin)
    found = client.get("/cases/rights/", {"reference": case.reference.lower()})
    assert found.status_code == 302
    assert found["Location"] == f"/cases/{case.pk}/rights/"
    missing = client.get("/cases/rights/", {"reference": other.reference})
    assert missing.status_code == 200
    assert "No record of your organisation" in missing.content.decode()
    client.force_login(world.sender_worker)
    assert client.get("/cases/rights/").status_code == 404


def test_the_api_finds_the_record_by_its_reference_for_the_same_people(world):
    case = world.case()
    other = world.case(actor=world.receiver_worker, consent_to=())
    url = "/api/v1/cases/by-reference/"

    found = get(world.sender_admin, f"{url}?reference={case.reference.lower()}")

    assert found.status_code == 200
    assert found.data == {"id": case.pk, "reference": case.reference}
    assert get(world.sender_admin, f"{url}?reference={other.reference}").status_code == 404
    assert get(world.sender_worker, f"{url}?reference={case.reference}").status_code == 404
    assert get(world.sender_admin, url).status_code == 400


# Erasure ----------------------------------------------------------------------------------------


def test_nothing_identifying_survives_erasure_anywhere(world, django_capture_on_commit_callbacks):
    case, open_one, done = full_history(world, django_capture_on_commit_callbacks)
    old_reference = case.reference
    # Before: the markers are in the database, the notifications were written and e-mailed.
    assert everything_mentioning(MARKERS["receiver_comment"])
    assert mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            world.sender_supervisor,
            f"/api/v1/cases/{case.pk}/erase/",
            {"reference": old_reference},
        )
    assert response.status_code == 200, response.content
    assert response.data["withdrawn_referrals"] == [open_one.pk]
    assert response.data["reference"] != old_reference

    for marker in [*MARKERS.values(), old_reference]:
        assert everything_mentioning(marker) == [], marker
    case = Case.objects.get(pk=case.pk)
    assert case.birth_year is None
    assert case.anonymised_reason == AnonymisedReason.ERASURE
    assert (case.age_band, case.sex, str(case.nationality), case.vulnerabilities) == (
        "unknown",
        "undisclosed",
        "",
        [],
    )
    assert Referral.objects.get(pk=open_one.pk).state == State.WITHDRAWN
    assert AccessLog.objects.filter(
        case=case, action=AccessAction.ERASE, user=world.sender_supervisor
    ).exists()
    # Both sides keep the structured outcome, nothing else.
    detail = get(world.receiver_worker, f"/api/v1/referrals/{done.pk}/")
    assert detail.status_code == 200
    assert detail.data["outcome"] == "provided"
    assert not detail.data.get("shared_data")
    # The record leaves every list and page.
    assert get(world.sender_worker, f"/api/v1/cases/{case.pk}/").status_code == 404
    assert case.pk not in [
        c["id"] for c in get(world.sender_worker, "/api/v1/cases/").data["results"]
    ]


def test_erasure_is_confirmed_decided_by_the_right_people_and_done_once(world):
    case = world.case()
    url = f"/api/v1/cases/{case.pk}/erase/"
    wrong = post(world.sender_supervisor, url, {"reference": "C-WRONG"})
    assert wrong.status_code == 400
    assert "reference" in wrong.data
    assert post(world.sender_supervisor, url, {}).status_code == 400
    assert post(world.sender_worker, url, {"reference": case.reference}).status_code == 403
    assert post(world.receiver_supervisor, url, {"reference": case.reference}).status_code == 404
    assert post(world.coordinator, url, {"reference": case.reference}).status_code == 404
    assert Case.objects.get(pk=case.pk).anonymised_at is None  # nothing half-written
    assert post(world.sender_admin, url, {"reference": case.reference}).status_code == 200
    again = post(world.sender_admin, url, {"reference": case.reference})
    assert again.status_code == 404  # the record is gone from every request


def test_erasure_on_the_web_asks_for_the_reference(world, client):
    case = world.case(given_name=MARKERS["given_name"])
    client.force_login(world.sender_supervisor)
    page = client.get(f"/cases/{case.pk}/rights/")
    assert page.status_code == 200
    refused = client.post(f"/cases/{case.pk}/erase/", {"confirm": "C-NOTIT"})
    assert refused.status_code == 400
    assert Case.objects.get(pk=case.pk).anonymised_at is None
    done = client.post(f"/cases/{case.pk}/erase/", {"confirm": case.reference}, follow=True)
    assert done.status_code == 200
    assert "erased" in done.content.decode()
    assert everything_mentioning(MARKERS["given_name"]) == []
    client.force_login(world.sender_worker)
    assert client.post(f"/cases/{case.pk}/erase/", {"confirm": case.reference}).status_code == 404


# Retention --------------------------------------------------------------------------------------


def test_retention_anonymises_ended_cases_and_keeps_what_statistics_count(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CASE_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40), tick=False):
        case, open_one, done = full_history(world, django_capture_on_commit_callbacks)
        services.referral_withdraw(referral_id=open_one.pk, actor=world.sender_worker, reason="x")
        still_open = world.referral(State.ACCEPTED)
    recent = world.case()
    registered = Case.objects.get(pk=case.pk).created_at

    assert case_retention_sweep_task() == 1
    assert case_retention_sweep_task() == 0  # once

    case = Case.objects.get(pk=case.pk)
    assert case.anonymised_reason == AnonymisedReason.RETENTION
    assert (case.given_name, case.phone, case.notes, case.nationality_other, case.birth_year) == (
        "",
        "",
        "",
        "",
        None,
    )
    for marker in MARKERS.values():
        assert everything_mentioning(marker) == [], marker
    # Kept for the statistics: the profile, the month of registration, the referrals' facts.
    assert (case.age_band, case.sex, case.languages, case.vulnerabilities) == (
        "18-25",
        "female",
        ["ar", "en"],
        ["medical"],
    )
    assert (case.created_at.year, case.created_at.month, case.created_at.day) == (
        registered.year,
        registered.month,
        1,
    )
    assert Referral.objects.get(pk=done.pk).outcome == "provided"
    assert not ReferralEvent.objects.filter(referral__case=case).exclude(text="").exists()
    # Not a case with an open referral, nor one changed within the period.
    assert Case.objects.get(pk=still_open.case_id).anonymised_at is None
    assert Case.objects.get(pk=recent.pk).anonymised_at is None


def test_retention_waits_for_the_last_referral_to_end(world, settings):
    settings.CASE_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40), tick=False):
        referral = world.referral(State.ACCEPTED)
    before = timezone.now() - datetime.timedelta(days=30)
    assert not privacy.cases_past_retention(before=before).filter(pk=referral.case_id).exists()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=35), tick=False):
        services.referral_start(referral_id=referral.pk, actor=world.receiver_worker)
        services.referral_complete(
            referral_id=referral.pk, actor=world.receiver_worker, outcome="provided", note="ok"
        )
    assert privacy.cases_past_retention(before=before).filter(pk=referral.case_id).exists()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10), tick=False):
        services.case_update(
            case=Case.objects.get(pk=referral.case_id), actor=world.sender_worker, notes="seen"
        )
    assert not privacy.cases_past_retention(before=before).filter(pk=referral.case_id).exists()


@pytest.mark.parametrize("role", ["sender_worker", "sender_supervisor"])
def test_an_anonymised_record_cannot_be_referred_or_edited(world, role):
    referral = world.referral(State.DECLINED)
    Referral.objects.filter(pk=referral.pk).update(suggested_organisation=world.third)
    privacy.case_erase(
        case_id=referral.case_id,
        actor=world.sender_supervisor,
        reference=referral.case.reference,
    )
    user = getattr(world, role)
    assert post(user, f"/api/v1/referrals/{referral.pk}/refer-onwards/").status_code == 404
    response = patch(user, f"/api/v1/cases/{referral.case_id}/", {"notes": "x"})
    assert response.status_code == 404


def test_the_service_itself_refuses_an_erasure_without_the_right_reference(world):
    case = world.case()
    with pytest.raises(ValidationFailed) as refused:
        privacy.case_erase(case_id=case.pk, actor=world.sender_supervisor, reference="C-NOTIT")
    assert refused.value.field == "reference"
    assert Case.objects.get(pk=case.pk).anonymised_at is None


def test_revoking_a_cases_shared_data_in_bulk_touches_only_each_receiver(world):
    """Retention and erasure revoke every referral of a case in one statement: each
    receiver loses the personal data, the sender's own right stays until the row is scrubbed."""
    first = world.referral(State.ACCEPTED)
    second = world.referral(State.SUBMITTED, case=first.case)
    referrals = Referral.objects.filter(pk__in=[first.pk, second.pk])
    assert all(permissions.can_view_shared_data(world.receiver_worker, r) for r in referrals)
    permissions.referrals_revoke_receiver_shared_data(referrals)
    for referral in Referral.objects.filter(pk__in=[first.pk, second.pk]):
        assert not permissions.can_view_shared_data(world.receiver_worker, referral)
        assert not permissions.can_view_shared_data(world.receiver_supervisor, referral)
        assert permissions.can_view_shared_data(world.sender_worker, referral)
