"""Referrals to organisations not on the platform (issue 14): recorded by the case's owner, with
their own states, granting nobody anything, counted in the statistics; and the slip a person
carries, for those and for referrals on the platform, with only what they agreed to share."""

from __future__ import annotations

import pytest
from django.test import Client
from guardian.models import GroupObjectPermission, UserObjectPermission

from organisations.models import UnlistedOrganisation
from referrals import services
from referrals.exceptions import Conflict, NotVisible, ValidationFailed
from referrals.models import (
    AccessAction,
    AccessLog,
    CaseGroupObjectPermission,
    ExternalOutcome,
    ExternalReferral,
    ExternalState,
    ReferralGroupObjectPermission,
    State,
)

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def grants() -> tuple[int, ...]:
    return (
        CaseGroupObjectPermission.objects.count(),
        ReferralGroupObjectPermission.objects.count(),
        GroupObjectPermission.objects.count(),
        UserObjectPermission.objects.count(),
    )


def refer_off(world, case=None, **values):
    case = case or world.case()
    return services.external_referral_create(
        case=case,
        actor=world.sender_worker,
        service_category="legal_aid",
        name="Avocats sans frontières",
        city="Sfax",
        phone="+216 74 111 222",
        opening_hours="Mo-Fr 09:00-13:00",
        reason="Needs a lawyer for her papers",
        printed_fields=["given_name", "languages"],
        **values,
    )


def test_an_off_platform_referral_is_recorded_and_grants_nobody_anything(world):
    case = world.case()
    before = grants()

    referral = refer_off(world, case=case, in_directory=True)

    assert grants() == before
    assert (referral.state, referral.from_organisation) == (ExternalState.MADE, world.sender)
    assert referral.recipient.in_directory
    assert referral.recipient.recorded_by == world.sender
    for outsider in (world.receiver_worker, world.third_worker):
        assert web(outsider).get(f"/external-referrals/{referral.pk}/").status_code == 404
        assert web(outsider).get(f"/external-referrals/{referral.pk}/slip/").status_code == 404
        with pytest.raises(NotVisible):
            services.external_referral_report(
                referral_id=referral.pk, actor=outsider, outcome=ExternalOutcome.REACHED
            )
    assert web(world.sender_worker).get(f"/external-referrals/{referral.pk}/").status_code == 200


def test_the_outcome_is_reported_once_and_an_unknown_one_may_be_told_later(world):
    referral = refer_off(world)

    services.external_referral_report(
        referral_id=referral.pk, actor=world.sender_worker, outcome=ExternalOutcome.UNKNOWN
    )
    later = services.external_referral_report(
        referral_id=referral.pk, actor=world.sender_supervisor, outcome="reached", note="She went"
    )

    assert (later.state, later.outcome, later.outcome_note) == ("reported", "reached", "She went")
    with pytest.raises(Conflict):
        services.external_referral_report(
            referral_id=referral.pk, actor=world.sender_worker, outcome=ExternalOutcome.NOT_REACHED
        )
    with pytest.raises(ValidationFailed):
        services.external_referral_report(
            referral_id=refer_off(world).pk, actor=world.sender_worker, outcome="teleported"
        )


def test_an_entry_is_offered_to_others_only_once_saved_in_the_directory(world):
    private = refer_off(world).recipient
    shared = refer_off(world, in_directory=True).recipient
    theirs = world.case(actor=world.third_worker, consent_to=())

    with pytest.raises(ValidationFailed) as refused:
        services.external_referral_create(
            case=theirs, actor=world.third_worker, recipient=private, service_category="food"
        )
    again = services.external_referral_create(
        case=theirs, actor=world.third_worker, recipient=shared
    )

    assert refused.value.field == "recipient"
    assert again.recipient == shared
    assert again.service_category == "legal_aid"  # the entry's own help, by default
    assert UnlistedOrganisation.objects.count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"opening_hours": "whenever"}, "opening_hours"),
        ({"email": "not-an-address"}, "email"),
        ({"printed_fields": ["notes", "password"]}, "printed_fields"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_written(world, values, field):
    case = world.case()
    arguments = {
        "case": case,
        "actor": world.sender_worker,
        "service_category": "legal_aid",
        "name": "Avocats sans frontières",
        **values,
    }
    with pytest.raises(ValidationFailed) as refused:
        services.external_referral_create(**arguments)
    assert refused.value.field == field
    assert (ExternalReferral.objects.count(), UnlistedOrganisation.objects.count()) == (0, 0)


def test_a_caseworker_records_one_on_the_web_and_prints_the_slip_in_arabic(world):
    case = world.case(phone="+216 20 123 456")
    browser = web(world.sender_worker)

    form = browser.get(f"/cases/{case.pk}/refer-off-platform/")
    made = browser.post(
        f"/cases/{case.pk}/refer-off-platform/",
        {
            "service_category": "legal_aid",
            "name": "Avocats sans frontières",
            "city": "Sfax",
            "address": "5 rue Ali Belhouane",
            "opening_hours": "Mo-Fr 09:00-13:00; PH off",
            "printed_fields": ["given_name", "languages"],
            "reason": "Needs a lawyer",
        },
    )
    referral = ExternalReferral.objects.get()
    slip = browser.get(f"/external-referrals/{referral.pk}/slip/?language=ar")
    body = slip.content.decode()

    assert form.status_code == 200
    assert made.status_code == 302
    assert made["Location"] == f"/external-referrals/{referral.pk}/"
    assert 'lang="ar" dir="rtl"' in body
    assert "<svg" in body  # the QR code of the reference
    assert case.reference in body
    assert "Amina" in body  # given name: agreed
    assert "+216 20 123 456" not in body  # phone: not agreed
    assert "fled violence" not in body  # notes: never
    assert "Needs a lawyer" not in body  # the reason stays with the case
    assert "5 rue Ali Belhouane" in body
    assert "09:00–13:00" in body
    assert AccessLog.objects.filter(case=case, action=AccessAction.PRINT).count() == 1
    listed = browser.get(f"/cases/{case.pk}/").content.decode()
    assert "Avocats sans frontières" in listed


def test_a_wrong_form_comes_back_with_its_errors(world):
    case = world.case()
    response = web(world.sender_worker).post(
        f"/cases/{case.pk}/refer-off-platform/", {"service_category": "legal_aid"}
    )
    assert response.status_code == 400
    assert ExternalReferral.objects.count() == 0
    assert (
        web(world.receiver_worker).get(f"/cases/{case.pk}/refer-off-platform/").status_code == 404
    )


def test_the_slip_of_a_referral_on_the_platform_carries_the_consented_snapshot(world):
    referral = world.referral(State.SUBMITTED)
    sender, receiver = web(world.sender_worker), web(world.receiver_worker)

    body = sender.get(f"/referrals/{referral.pk}/slip/?language=fr").content.decode()

    assert 'lang="fr"' in body
    assert referral.to_organisation.name in body
    assert "Amina" in body  # consented
    assert "fled violence" not in body
    assert "+216 20 000 000" not in body
    assert receiver.get(f"/referrals/{referral.pk}/slip/").status_code == 404
    # Once the consent is withdrawn, the slip holds the reference only.
    consent = referral.consent
    services.consent_withdraw(consent=consent, actor=world.sender_worker)
    after = sender.get(f"/referrals/{referral.pk}/slip/").content.decode()
    assert "Amina" not in after
    assert referral.case.reference in after


def test_the_statistics_count_referrals_off_the_platform(world):
    from referrals.insight.scope import filters_resolve, scope_resolve
    from referrals.insight.statistics import off_platform

    for _ in range(6):
        refer_off(world)
    reported = refer_off(world)
    services.external_referral_report(
        referral_id=reported.pk, actor=world.sender_worker, outcome=ExternalOutcome.REACHED
    )

    scope = scope_resolve(world.sender_supervisor, f"organisation:{world.sender.pk}")
    table = off_platform(scope, filters_resolve(scope))

    legal = next(row for row in table.rows if row.key == "legal_aid")
    assert legal.values["made"] == 7
    assert legal.values["awaiting"] == 6
    assert str(legal.values["reached"]) != "1"  # under five: never shown as such


def test_a_platform_admin_puts_an_unlisted_organisation_on_the_platform_and_merges_it(world):
    from organisations import services as registry
    from organisations.exceptions import NotAllowed
    from referrals.selectors import unlisted_offered
    from tests.factories import UserFactory

    referral = refer_off(world, in_directory=True, address="5 rue Ali Belhouane")
    entry = referral.recipient
    with pytest.raises(NotAllowed):
        registry.unlisted_promote(entry=entry, actor=world.sender_admin)

    organisation = registry.unlisted_promote(
        entry=entry, actor=UserFactory(is_superuser=True, is_staff=True)
    )
    organisation.address = "The new premises"
    organisation.save()
    entry.refresh_from_db()
    slip = web(world.sender_worker).get(f"/external-referrals/{referral.pk}/slip/").content.decode()

    assert (organisation.name, organisation.kind, organisation.is_verified) == (
        "Avocats sans frontières",
        "other",
        False,
    )
    assert entry.merged_into == organisation
    assert entry not in unlisted_offered(world.case())  # refer to the member instead
    assert "The new premises" in slip


def test_the_api_records_lists_and_closes_them_like_the_web(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.referrals.conftest import client_for

    case = world.case()
    api = client_for(world.sender_worker)
    made = api.post(
        "/api/v1/external-referrals/",
        {
            "case": case.pk,
            "service_category": "legal_aid",
            "name": "Avocats sans frontières",
            "printed_fields": ["given_name"],
            "in_directory": True,
        },
        format="json",
    )
    assert made.status_code == 201, made.data
    pk = made.data["id"]
    assert made.data["recipient"]["name"] == "Avocats sans frontières"
    assert made.data["state"] == "made"

    for outsider in (world.receiver_worker, world.third_worker):
        assert client_for(outsider).get(f"/api/v1/external-referrals/{pk}/").status_code == 404
        assert client_for(outsider).get("/api/v1/external-referrals/").data["results"] == []
    bad = api.post(
        "/api/v1/external-referrals/",
        {"case": case.pk, "service_category": "legal_aid", "printed_fields": ["password"]},
        format="json",
    )
    assert bad.status_code == 400
    assert "printed_fields" in bad.data
    foreign = world.case(actor=world.third_worker, consent_to=())
    hidden = api.post(
        "/api/v1/external-referrals/", {"case": foreign.pk, "name": "X"}, format="json"
    )
    assert hidden.status_code == 400
    assert "case" in hidden.data

    closed = api.post(
        f"/api/v1/external-referrals/{pk}/outcome/", {"outcome": "reached"}, format="json"
    )
    again = api.post(
        f"/api/v1/external-referrals/{pk}/outcome/", {"outcome": "reached"}, format="json"
    )
    assert (closed.status_code, closed.data["outcome"]) == (200, "reached")
    assert again.status_code == 409
    shared = client_for(world.third_worker).get("/api/v1/unlisted-organisations/").data["results"]
    assert [row["name"] for row in shared] == ["Avocats sans frontières"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/external-referrals/?page_size=200").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(12):
        refer_off(world, case=case)
    assert queries() == few <= 8
