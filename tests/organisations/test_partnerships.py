"""Trust comes from a partnership in force with a municipality; platform admins record them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organisations import selectors, services
from organisations.exceptions import NotAllowed, NotAMunicipality
from organisations.models import Organisation, Partnership
from tests.factories import PartnershipFactory, UserFactory, member

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def trusted_by_annotation(organisation):
    return Organisation.objects.with_trust().get(pk=organisation.pk).is_trusted


@pytest.mark.parametrize(
    ("starts", "ends", "trusted"),
    [
        (-30, None, True),  # open-ended
        (-30, 30, True),
        (0, 0, True),  # a one-day agreement, today
        (-30, 0, True),  # ends today: still in force
        (1, None, False),  # not started yet
        (1, 30, False),
        (-30, -1, False),  # ended yesterday
    ],
)
def test_an_organisation_is_trusted_only_while_a_partnership_is_in_force(
    municipality, cso, starts, ends, trusted
):
    today = timezone.localdate()
    partnership = PartnershipFactory(
        municipality=municipality,
        organisation=cso,
        starts_on=today + starts * DAY,
        ends_on=None if ends is None else today + ends * DAY,
    )

    assert Organisation.objects.get(pk=cso.pk).is_trusted is trusted
    assert trusted_by_annotation(cso) is trusted
    assert partnership.is_in_force is trusted
    assert (partnership in selectors.partnerships_in_force()) is trusted


def test_without_a_partnership_nobody_is_trusted(municipality, cso):
    assert cso.is_trusted is False
    assert trusted_by_annotation(cso) is False
    # A partnership makes the partner trusted, not the municipality that signed it.
    PartnershipFactory(municipality=municipality, organisation=cso)
    assert trusted_by_annotation(municipality) is False


def test_one_partnership_in_force_among_ended_ones_is_enough(municipality, cso):
    today = timezone.localdate()
    PartnershipFactory(
        municipality=municipality,
        organisation=cso,
        starts_on=today - 400 * DAY,
        ends_on=today - 200 * DAY,
    )
    assert trusted_by_annotation(cso) is False

    PartnershipFactory(municipality=municipality, organisation=cso, starts_on=today - 10 * DAY)

    assert trusted_by_annotation(cso) is True
    # Annotated once, not duplicated by the two partnerships.
    assert Organisation.objects.with_trust().filter(pk=cso.pk).count() == 1


def test_a_platform_admin_records_a_partnership(municipality, cso, superuser):
    today = timezone.localdate()

    partnership = services.partnership_record(
        municipality=municipality,
        organisation=cso,
        starts_on=today,
        scope="Shelter and food",
        actor=superuser,
    )

    assert partnership.pk
    assert partnership.recorded_by == superuser
    assert Organisation.objects.get(pk=cso.pk).is_trusted is True


def test_it_refuses_a_partnership_with_an_organisation_that_is_not_a_municipality(
    cso, other_cso, superuser
):
    with pytest.raises(NotAMunicipality) as error:
        services.partnership_record(
            municipality=other_cso,
            organisation=cso,
            starts_on=timezone.localdate(),
            scope="Anything",
            actor=superuser,
        )

    assert error.value.field == "municipality"
    assert not Partnership.objects.exists()
    assert cso.is_trusted is False


@pytest.mark.parametrize(
    "who",
    ["org_admin", "staff_not_superuser", "inactive_superuser", "municipality_admin"],
)
def test_only_an_active_superuser_may_record_a_partnership(municipality, cso, anna, who):
    actor = {
        "org_admin": lambda: anna,
        "staff_not_superuser": lambda: UserFactory(is_staff=True),
        "inactive_superuser": lambda: UserFactory(is_superuser=True, is_active=False),
        "municipality_admin": lambda: member(municipality, "admin"),
    }[who]()

    with pytest.raises(NotAllowed):
        services.partnership_record(
            municipality=municipality,
            organisation=cso,
            starts_on=timezone.localdate(),
            scope="Anything",
            actor=actor,
        )

    assert not Partnership.objects.exists()


def test_a_partnership_cannot_end_before_it_starts(municipality, cso, superuser):
    today = timezone.localdate()

    with pytest.raises(ValidationError) as error:
        services.partnership_record(
            municipality=municipality,
            organisation=cso,
            starts_on=today,
            ends_on=today - DAY,
            scope="Backwards",
            actor=superuser,
        )

    assert not Partnership.objects.exists()
    assert error.value.messages


def test_a_municipality_cannot_partner_with_itself(municipality, superuser):
    with pytest.raises(ValidationError):
        services.partnership_record(
            municipality=municipality,
            organisation=municipality,
            starts_on=timezone.localdate(),
            scope="Self",
            actor=superuser,
        )

    assert not Partnership.objects.exists()


def test_the_partnership_model_refuses_a_non_municipality(cso, other_cso):
    partnership = Partnership(
        municipality=other_cso, organisation=cso, starts_on=timezone.localdate(), scope="x"
    )

    with pytest.raises(ValidationError) as error:
        partnership.full_clean()

    assert "municipality" in error.value.message_dict


def test_the_organisation_page_shows_the_partner_badge(client, alice, municipality, cso):
    client.force_login(alice)
    url = f"/organisations/{cso.pk}/"
    assert "Partner of the municipality" not in client.get(url).content.decode()

    PartnershipFactory(municipality=municipality, organisation=cso, scope="Night shelter")

    body = client.get(url).content.decode()
    assert "Partner of the municipality" in body
    assert "Night shelter" in body


def test_the_api_shows_each_partys_partnerships_as_the_web_does(
    municipality, cso, api_client, alice
):
    PartnershipFactory(municipality=municipality, organisation=cso, scope="Night shelters")
    api_client.force_authenticate(alice)

    as_organisation = api_client.get(f"/api/v1/organisations/{cso.pk}/").json()["partnerships"]
    as_municipality = api_client.get(f"/api/v1/organisations/{municipality.pk}/").json()

    assert [(p["municipality"], p["scope"], p["in_force"]) for p in as_organisation] == [
        (municipality.pk, "Night shelters", True)
    ]
    assert as_organisation[0]["document"] is None
    assert [p["organisation"] for p in as_municipality["partnerships"]] == [cso.pk]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.usefixtures("media")
def test_the_signed_agreement_downloads_through_the_api(municipality, cso, api_client, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    partnership = PartnershipFactory(
        municipality=municipality,
        organisation=cso,
        document=SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 signed"),
    )
    url = f"/api/v1/partnerships/{partnership.pk}/document/"
    assert api_client.get(url).status_code == 401
    api_client.force_authenticate(alice)

    listed = api_client.get(f"/api/v1/organisations/{cso.pk}/").json()["partnerships"]
    response = api_client.get(url)

    assert listed[0]["document"] == url
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"
    assert api_client.get("/api/v1/partnerships/999999/document/").status_code == 404


def test_a_missing_agreement_is_a_json_404_whatever_the_client_accepts(api_client, alice):
    api_client.force_authenticate(alice)

    for query in ("", "?format=file"):
        response = api_client.get(f"/api/v1/partnerships/999999/document/{query}")

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]
