"""Who may edit an organisation's profile, services and members on the web, and the switcher."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from organisations import services
from organisations.current import SESSION_KEY
from organisations.models import (
    CapacityStatus,
    Membership,
    Organisation,
    Role,
    Service,
    ServiceCategory,
)
from tests.factories import OrganisationFactory, ServiceFactory, member, membership_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(cso):
    return ServiceFactory(
        organisation=cso,
        name="Meals",
        category=ServiceCategory.FOOD,
        capacity_status=CapacityStatus.AVAILABLE,
        capacity_confirmed_at=timezone.now() - datetime.timedelta(days=30),
    )


@pytest.fixture
def colleague(cso):
    return member(cso, Role.CASEWORKER, username="carl", email="carl@example.org")


# Every route that changes an organisation: (method, url pattern, POST data).
ROUTES = [
    ("get", "/organisations/{org}/edit/", None),
    ("post", "/organisations/{org}/edit/", {"name": "Taken over", "kind": "cso", "city": "X"}),
    ("get", "/organisations/{org}/services/new/", None),
    ("post", "/organisations/{org}/services/new/", {"name": "Fake", "category": "food"}),
    ("get", "/organisations/{org}/services/{service}/edit/", None),
    ("post", "/organisations/{org}/services/{service}/edit/", {"name": "Renamed"}),
    ("post", "/organisations/{org}/services/{service}/capacity/", {"capacity_status": "full"}),
    ("post", "/organisations/{org}/services/{service}/archive/", {}),
    ("get", "/organisations/{org}/members/", None),
    ("post", "/organisations/{org}/members/", {"email": "x@example.org", "role": "admin"}),
    ("post", "/organisations/{org}/members/{membership}/role/", {"role": "admin"}),
    ("post", "/organisations/{org}/members/{membership}/intake/", {"intake": "on"}),
    ("post", "/organisations/{org}/members/{membership}/deactivate/", {}),
    ("post", "/organisations/{org}/members/{membership}/reactivate/", {}),
]
ROUTE_IDS = [f"{method} {url}" for method, url, _ in ROUTES]


@dataclass
class Target:
    """The organisation under attack: its admin (anna), one service and one member (carl)."""

    organisation: Organisation
    service: Service
    membership: Membership

    def request(self, client, route):
        method, pattern, data = route
        url = pattern.format(
            org=self.organisation.pk, service=self.service.pk, membership=self.membership.pk
        )
        return client.get(url) if method == "get" else client.post(url, data or {})

    def assert_unchanged(self):
        self.organisation.refresh_from_db()
        self.service.refresh_from_db()
        self.membership.refresh_from_db()
        assert self.organisation.name == "Helping Hands"
        service = self.service
        assert (service.name, service.capacity_status, service.is_active) == (
            "Meals",
            "available",
            True,
        )
        membership = self.membership
        assert (membership.role, membership.is_active, membership.intake) == (
            Role.CASEWORKER,
            True,
            False,
        )
        assert Service.objects.filter(organisation=self.organisation).count() == 1
        assert not get_user_model().objects.filter(email="x@example.org").exists()


@pytest.fixture
def target(cso, anna, service, colleague):
    return Target(organisation=cso, service=service, membership=membership_of(colleague, cso))


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_an_admin_of_another_organisation_gets_403(client, target, bob, route):
    client.force_login(bob)

    assert target.request(client, route).status_code == 403
    target.assert_unchanged()


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_caseworker_of_the_same_organisation_gets_403(client, target, alice, route):
    client.force_login(alice)

    assert target.request(client, route).status_code == 403
    target.assert_unchanged()


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_anonymous_users_are_sent_to_sign_in(client, target, route):
    response = target.request(client, route)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    target.assert_unchanged()


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_the_organisation_admin_may_use_every_route(client, target, anna, route):
    client.force_login(anna)

    assert target.request(client, route).status_code in {200, 302}


def test_the_detail_page_offers_edit_links_only_to_admins(client, cso, anna, alice, service):
    client.force_login(anna)
    assert (
        f"/organisations/{cso.pk}/edit/" in client.get(f"/organisations/{cso.pk}/").content.decode()
    )

    client.force_login(alice)
    assert (
        f"/organisations/{cso.pk}/edit/"
        not in client.get(f"/organisations/{cso.pk}/").content.decode()
    )


# The admin at work ------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, anna):
    client.force_login(anna)
    return client


def test_an_admin_edits_the_profile(admin_client, cso):
    assert admin_client.get(f"/organisations/{cso.pk}/edit/").status_code == 200

    response = admin_client.post(
        f"/organisations/{cso.pk}/edit/",
        {
            "name": "Helping Hands Sfax",
            "kind": "cso",
            "city": "Sfax",
            "description": "Open every day",
            "website": "helping.example",
            "is_verified": "",  # not a field of the form: cannot be cleared from here
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/organisations/{cso.pk}/"
    cso.refresh_from_db()
    assert (cso.name, cso.description) == ("Helping Hands Sfax", "Open every day")
    assert cso.website == "https://helping.example"
    assert cso.is_verified is True


def test_an_invalid_profile_is_shown_again_with_errors(admin_client, cso, other_cso):
    response = admin_client.post(
        f"/organisations/{cso.pk}/edit/", {"name": other_cso.name, "kind": "cso", "city": "Sfax"}
    )

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Organisation.objects.get(pk=cso.pk).name == "Helping Hands"


def test_an_admin_adds_a_service(admin_client, cso):
    assert admin_client.get(f"/organisations/{cso.pk}/services/new/").status_code == 200

    response = admin_client.post(
        f"/organisations/{cso.pk}/services/new/",
        {
            "name": "Legal clinic",
            "category": "legal_aid",
            "languages": "AR, fr, ar",
            "city": "Sfax",
            "area_served": "Médina",
            "capacity_status": "waiting_list",
        },
    )

    assert response.status_code == 302
    service = Service.objects.get(organisation=cso, name="Legal clinic")
    assert service.category == ServiceCategory.LEGAL_AID
    assert service.languages == ["ar", "fr"]
    assert service.capacity_status == CapacityStatus.WAITING_LIST


def test_an_admin_edits_a_service(admin_client, cso, service):
    url = f"/organisations/{cso.pk}/services/{service.pk}/edit/"
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(
        url,
        {
            "name": "Hot meals",
            "category": "food",
            "city": "Sfax",
            "capacity_status": "full",
            "languages": "fr",
        },
    )

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.capacity_status, service.languages) == (
        "Hot meals",
        "full",
        ["fr"],
    )
    assert timezone.now() - service.capacity_confirmed_at < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("status", ["full", "available"])  # confirming the same status counts too
def test_one_click_sets_the_capacity_and_its_date(admin_client, cso, service, status):
    before = service.capacity_confirmed_at

    response = admin_client.post(
        f"/organisations/{cso.pk}/services/{service.pk}/capacity/", {"capacity_status": status}
    )

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.capacity_status == status
    assert service.capacity_confirmed_at > before
    assert timezone.now() - service.capacity_confirmed_at < datetime.timedelta(minutes=1)


def test_an_unknown_capacity_changes_nothing(admin_client, cso, service):
    admin_client.post(
        f"/organisations/{cso.pk}/services/{service.pk}/capacity/", {"capacity_status": "lots"}
    )

    service.refresh_from_db()
    assert service.capacity_status == "available"
    assert timezone.now() - service.capacity_confirmed_at > datetime.timedelta(days=29)


def test_the_capacity_form_only_takes_post(admin_client, cso, service):
    response = admin_client.get(f"/organisations/{cso.pk}/services/{service.pk}/capacity/")

    assert response.status_code == 405


def test_a_service_of_another_organisation_is_404_under_my_url(admin_client, cso, other_cso):
    theirs = ServiceFactory(organisation=other_cso, name="Theirs", capacity_status="available")

    for method, url in [
        ("get", f"/organisations/{cso.pk}/services/{theirs.pk}/edit/"),
        ("post", f"/organisations/{cso.pk}/services/{theirs.pk}/edit/"),
        ("post", f"/organisations/{cso.pk}/services/{theirs.pk}/capacity/"),
        ("post", f"/organisations/{cso.pk}/services/{theirs.pk}/archive/"),
    ]:
        data = {"name": "Mine", "category": "food", "city": "Sfax", "capacity_status": "full"}
        response = getattr(admin_client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, url

    theirs.refresh_from_db()
    assert (theirs.name, theirs.capacity_status, theirs.is_active) == ("Theirs", "available", True)


def test_a_membership_of_another_organisation_is_404_under_my_url(
    admin_client, cso, bob, other_cso
):
    theirs = membership_of(bob, other_cso)

    for action in ("role", "intake", "deactivate", "reactivate"):
        response = admin_client.post(
            f"/organisations/{cso.pk}/members/{theirs.pk}/{action}/", {"role": "caseworker"}
        )
        assert response.status_code == 404, action

    theirs.refresh_from_db()
    assert (theirs.role, theirs.is_active) == (Role.ADMIN, True)


def test_an_admin_sees_the_members(admin_client, cso, colleague):
    response = admin_client.get(f"/organisations/{cso.pk}/members/")

    assert response.status_code == 200
    assert "carl@example.org" in response.content.decode()


def test_inviting_a_new_email_creates_an_account_and_sends_a_password_link(
    admin_client, client, cso, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/organisations/{cso.pk}/members/",
            {"email": "Nadia@Example.org", "first_name": "Nadia", "role": "supervisor"},
        )

    assert response.status_code == 302
    user = get_user_model().objects.get(email__iexact="nadia@example.org")
    assert not user.has_usable_password()
    assert membership_of(user, cso).role == Role.SUPERVISOR
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert user.username in message.body
    link = re.search(r"https?://\S+/accounts/reset/(\S+)/", message.body)
    assert link, message.body

    # The link works: it leads to the form where the person chooses a password.
    client.logout()
    opened = client.get(f"/accounts/reset/{link.group(1)}/", follow=True)
    assert opened.status_code == 200
    assert opened.context["validlink"] is True


def test_inviting_an_existing_account_adds_it_without_an_email(
    admin_client, cso, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/organisations/{cso.pk}/members/", {"email": bob.email.upper(), "role": "caseworker"}
        )

    assert membership_of(bob, cso).role == Role.CASEWORKER
    assert bob.has_usable_password()
    assert mail.outbox == []


def test_an_invalid_invitation_is_shown_again(admin_client, cso):
    response = admin_client.post(
        f"/organisations/{cso.pk}/members/", {"email": "not-an-address", "role": "admin"}
    )

    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_an_admin_changes_a_role(admin_client, cso, colleague):
    membership = membership_of(colleague, cso)

    response = admin_client.post(
        f"/organisations/{cso.pk}/members/{membership.pk}/role/", {"role": "supervisor"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/organisations/{cso.pk}/members/"
    assert membership_of(colleague, cso).role == Role.SUPERVISOR


def test_an_admin_deactivates_and_restores_a_member(admin_client, cso, colleague):
    membership = membership_of(colleague, cso)

    admin_client.post(f"/organisations/{cso.pk}/members/{membership.pk}/deactivate/")
    assert membership_of(colleague, cso).is_active is False
    assert not colleague.groups.exists()

    admin_client.post(f"/organisations/{cso.pk}/members/{membership.pk}/reactivate/")
    assert membership_of(colleague, cso).is_active is True
    assert colleague.groups.count() == 1


def test_an_admin_puts_a_caseworker_on_the_intake_team_and_takes_them_off(
    admin_client, cso, colleague, anna
):
    membership = membership_of(colleague, cso)
    page = admin_client.get(f"/organisations/{cso.pk}/members/").content.decode()
    assert "No intake team: every caseworker and supervisor is told at once" in page

    response = admin_client.post(
        f"/organisations/{cso.pk}/members/{membership.pk}/intake/", {"intake": "on"}, follow=True
    )
    assert membership_of(colleague, cso).intake is True
    page = response.content.decode()
    assert "is told at once of every referral that arrives" in page
    assert "New referrals are told at once to the intake team" in page

    admin_client.post(f"/organisations/{cso.pk}/members/{membership.pk}/intake/", {})
    assert membership_of(colleague, cso).intake is False

    # An administrator sees no referral: refused with a message, nothing changed.
    mine = membership_of(anna, cso)
    response = admin_client.post(
        f"/organisations/{cso.pk}/members/{mine.pk}/intake/", {"intake": "on"}, follow=True
    )
    assert "Only caseworkers and supervisors see referrals" in response.content.decode()
    assert membership_of(anna, cso).intake is False


def test_a_member_who_becomes_an_admin_leaves_the_intake_team(admin_client, cso, colleague):
    membership = membership_of(colleague, cso)
    services.membership_set_intake(membership=membership, intake=True, actor=None)
    services.membership_change_role(membership=membership, role=Role.ADMIN, actor=None)
    assert membership_of(colleague, cso).intake is False


def test_the_last_admin_is_refused_with_a_message(admin_client, cso, anna):
    membership = membership_of(anna, cso)

    response = admin_client.post(
        f"/organisations/{cso.pk}/members/{membership.pk}/role/",
        {"role": "caseworker"},
        follow=True,
    )

    assert membership_of(anna, cso).role == Role.ADMIN
    assert "at least one active administrator" in response.content.decode()


# The switcher -----------------------------------------------------------------------------------


@pytest.fixture
def two_hats(cso, other_cso):
    """A caseworker in two organisations."""
    user = member(cso, Role.CASEWORKER)
    member(other_cso, Role.ADMIN, username="other-admin")
    services.membership_add(organisation=other_cso, user=user, role=Role.SUPERVISOR)
    return user


def test_the_switcher_changes_the_organisation_i_act_for(client, cso, other_cso, two_hats):
    client.force_login(two_hats)
    # Until one is chosen, the first by name: Far Away Aid.
    assert client.get("/").context["organisation"] == other_cso

    response = client.post(
        "/organisations/switch/", {"organisation": cso.pk, "next": "/organisations/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/organisations/"
    assert client.session[SESSION_KEY] == cso.pk
    assert client.get("/").context["organisation"] == cso


def test_the_switcher_refuses_an_organisation_i_do_not_belong_to(client, cso, two_hats):
    stranger = OrganisationFactory(name="Stranger")
    client.force_login(two_hats)

    response = client.post("/organisations/switch/", {"organisation": stranger.pk})

    assert response.status_code == 404
    assert SESSION_KEY not in client.session


def test_the_switcher_refuses_an_organisation_where_my_access_ended(
    client, cso, other_cso, two_hats
):
    membership = membership_of(two_hats, other_cso)
    membership.is_active = False
    membership.save()
    client.force_login(two_hats)

    response = client.post("/organisations/switch/", {"organisation": other_cso.pk})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/organisations/", "http://evil.example"]
)
def test_the_switcher_refuses_an_external_next(client, other_cso, two_hats, target):
    client.force_login(two_hats)

    response = client.post("/organisations/switch/", {"organisation": other_cso.pk, "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == other_cso.pk


def test_the_switcher_takes_only_post(client, other_cso, two_hats):
    client.force_login(two_hats)

    assert client.get("/organisations/switch/", {"organisation": other_cso.pk}).status_code == 405
