"""What an organisation's admins do on the web, through the API: the profile, the services
(capacity in one call, taking one out of the directory) and the members. Same services, same
rules: anyone else who sees the organisation gets 403, nothing is half-written."""

from __future__ import annotations

import pytest
from django.core import mail

from organisations.models import CapacityStatus, Membership, Role, Service
from tests.factories import ServiceFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


def test_an_admin_edits_the_profile_and_no_one_else(as_user, cso, anna, alice, bob):
    url = f"/api/v1/organisations/{cso.pk}/"
    for outsider in (alice, bob):
        assert as_user(outsider).patch(url, {"city": "Gabès"}, format="json").status_code == 403

    response = as_user(anna).patch(
        url, {"city": "Gabès", "website": "", "phone": "+216 74 000 000"}, format="json"
    )

    assert response.status_code == 200, response.data
    assert (response.data["city"], response.data["website"]) == ("Gabès", None)
    cso.refresh_from_db()
    assert cso.city == "Gabès"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"kind": "club"}, "kind"),
        ({"website": "not a link"}, "website"),
        ({"email": "nobody"}, "email"),
    ],
)
def test_a_bad_profile_is_400_with_the_field(as_user, cso, anna, body, field):
    response = as_user(anna).patch(f"/api/v1/organisations/{cso.pk}/", body, format="json")

    assert response.status_code == 400
    assert field in response.data
    cso.refresh_from_db()
    assert cso.name == "Helping Hands"


def test_verification_is_not_the_admins_to_change(as_user, cso, anna):
    cso.is_verified = False
    cso.save()
    response = as_user(anna).patch(
        f"/api/v1/organisations/{cso.pk}/", {"is_verified": True, "city": "Sfax"}, format="json"
    )

    assert response.status_code == 200
    cso.refresh_from_db()
    assert cso.is_verified is False  # not a profile field: ignored, as the schema says


def test_an_admin_adds_a_service_and_sets_its_capacity_in_one_call(as_user, cso, anna, alice):
    body = {
        "organisation": cso.pk,
        "name": "Night shelter",
        "category": "emergency_shelter",
        "languages": ["AR", "fr", "ar"],
    }
    assert as_user(alice).post("/api/v1/services/", body, format="json").status_code == 403

    created = as_user(anna).post("/api/v1/services/", body, format="json")

    assert created.status_code == 201, created.data
    assert created.data["languages"] == ["ar", "fr"]
    assert created.data["city"] == cso.city
    service = Service.objects.get(pk=created.data["id"])
    before = service.capacity_confirmed_at

    full = as_user(anna).patch(
        f"/api/v1/services/{service.pk}/", {"capacity_status": "full"}, format="json"
    )

    assert full.status_code == 200, full.data
    service.refresh_from_db()
    assert service.capacity_status == CapacityStatus.FULL
    assert service.capacity_confirmed_at > before
    assert (
        as_user(alice)
        .patch(f"/api/v1/services/{service.pk}/", {"capacity_status": "available"}, format="json")
        .status_code
        == 403
    )


def test_a_service_leaves_the_directory_and_comes_back(as_user, cso, anna, alice):
    service = ServiceFactory(organisation=cso)
    url = f"/api/v1/services/{service.pk}/"

    assert as_user(anna).patch(url, {"is_active": False}, format="json").status_code == 200

    assert as_user(alice).get(url).status_code == 404
    assert as_user(alice).patch(url, {"is_active": True}, format="json").status_code == 404
    back = as_user(anna).patch(url, {"is_active": True}, format="json")
    assert back.status_code == 200
    assert as_user(alice).get(url).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"languages": ["arabic!"]}, "languages"),
        ({"languages": "ar"}, "languages"),
        ({"category": "spa"}, "category"),
        ({"capacity_status": "overflowing"}, "capacity_status"),
        ({"name": ""}, "name"),
        ({"opening_hours": "Mon–Fri 9 to 5"}, "opening_hours"),
        ({"opening_hours": "Mo-Fr 25:00-26:00"}, "opening_hours"),
    ],
)
def test_a_bad_service_change_is_400_and_changes_nothing(as_user, cso, anna, body, field):
    service = ServiceFactory(organisation=cso, name="Meals", capacity_status="available")

    response = as_user(anna).patch(f"/api/v1/services/{service.pk}/", body, format="json")

    assert response.status_code == 400
    assert field in response.data
    service.refresh_from_db()
    assert (service.name, service.capacity_status) == ("Meals", "available")


def test_a_service_for_someone_elses_organisation_is_refused(as_user, anna, other_cso):
    response = as_user(anna).post(
        "/api/v1/services/",
        {"organisation": other_cso.pk, "name": "Mine now", "category": "food"},
        format="json",
    )

    assert response.status_code == 403
    assert not Service.objects.filter(name="Mine now").exists()


def test_an_admin_lists_invites_and_manages_members(
    as_user, anna, alice, bob, django_capture_on_commit_callbacks
):
    url = f"/api/v1/organisations/{alice.memberships.get().organisation_id}/members/"
    assert as_user(alice).get(url).status_code == 403
    assert as_user(bob).get(url).status_code == 403

    listed = as_user(anna).get(url)

    assert listed.status_code == 200
    assert {row["user"]["username"] for row in listed.data["results"]} == {"anna", "alice"}

    with django_capture_on_commit_callbacks(execute=True):
        invited = as_user(anna).post(
            url, {"email": "Sami@Example.org", "role": "caseworker", "first_name": "Sami"}
        )

    assert invited.status_code == 201, invited.data
    assert invited.data["role"] == "caseworker"
    assert len(mail.outbox) == 1  # the new account's link to choose a password
    membership = Membership.objects.get(pk=invited.data["id"])

    promoted = as_user(anna).patch(f"{url}{membership.pk}/", {"role": "supervisor"}, format="json")
    assert promoted.status_code == 200, promoted.data
    assert promoted.data["role"] == Role.SUPERVISOR

    ended = as_user(anna).patch(f"{url}{membership.pk}/", {"is_active": False}, format="json")
    assert ended.data["is_active"] is False
    membership.refresh_from_db()
    assert not membership.user.groups.exists()  # access gone at once
    back = as_user(anna).patch(f"{url}{membership.pk}/", {"is_active": True}, format="json")
    assert back.data["is_active"] is True
    intake = as_user(anna).patch(f"{url}{membership.pk}/", {"intake": True}, format="json")
    assert intake.status_code == 200, intake.data
    assert intake.data["intake"] is True
    assert Membership.objects.get(pk=membership.pk).intake is True
    assert (
        as_user(alice).patch(f"{url}{membership.pk}/", {"intake": False}, format="json").status_code
        == 403
    )
    assert (
        as_user(alice).patch(f"{url}{membership.pk}/", {"role": "admin"}, format="json").status_code
        == 403
    )


def test_the_last_admin_cannot_leave_and_bad_members_are_400(as_user, cso, anna):
    own = Membership.objects.get(user=anna, organisation=cso)
    url = f"/api/v1/organisations/{cso.pk}/members/"

    last = as_user(anna).patch(f"{url}{own.pk}/", {"role": "caseworker"}, format="json")

    assert last.status_code == 400
    own.refresh_from_db()
    assert own.role == Role.ADMIN
    # An administrator sees no referral: not on the intake team; nothing half-changed.
    both = as_user(anna).patch(
        f"{url}{own.pk}/", {"is_active": True, "intake": True}, format="json"
    )
    assert both.status_code == 400
    assert "intake" in both.data
    own.refresh_from_db()
    assert own.intake is False
    assert (
        as_user(anna).patch(f"{url}{own.pk}/", {"intake": "yes"}, format="json").status_code == 400
    )
    assert as_user(anna).post(url, {"email": "x", "role": "caseworker"}).status_code == 400
    assert as_user(anna).post(url, {"email": "x@example.org", "role": "boss"}).status_code == 400
    other = member(ServiceFactory().organisation, "caseworker")
    foreign = Membership.objects.get(user=other)
    assert as_user(anna).patch(f"{url}{foreign.pk}/", {"role": "admin"}).status_code == 404


def test_opening_hours_are_kept_as_written_in_the_syntax(as_user, cso, anna):
    service = ServiceFactory(organisation=cso, name="Meals")
    url = f"/api/v1/services/{service.pk}/"

    response = as_user(anna).patch(
        url, {"opening_hours": "Mo-Fr 08:30-16:30; PH off"}, format="json"
    )

    assert response.status_code == 200
    assert response.data["opening_hours"] == "Mo-Fr 08:30-16:30; PH off"


def test_hours_written_before_the_syntax_do_not_block_another_change(as_user, cso, anna):
    service = ServiceFactory(organisation=cso, name="Meals", opening_hours="By appointment")

    response = as_user(anna).patch(
        f"/api/v1/services/{service.pk}/", {"what_to_bring": "A photo"}, format="json"
    )

    assert response.status_code == 200
    service.refresh_from_db()
    assert (service.opening_hours, service.what_to_bring) == ("By appointment", "A photo")
