"""The platform admin's screens for the registry render, and their changes go through services."""

from __future__ import annotations

import pytest

from organisations.models import Membership, Organisation, Role, RoleGroup
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/organisations/organisation/",
        "/admin/organisations/organisation/add/",
        "/admin/organisations/organisation/{org}/change/",
        "/admin/organisations/service/add/",
        "/admin/organisations/membership/add/",
        "/admin/organisations/partnership/add/",
    ],
)
def test_the_admin_pages_render(admin_site, cso, url):
    assert admin_site.get(url.format(org=cso.pk)).status_code == 200


def test_the_verify_action_stamps_the_date(admin_site, db):
    organisation = Organisation.objects.create(name="New CSO", kind="cso", city="Sfax")

    admin_site.post(
        "/admin/organisations/organisation/",
        {"action": "verify", "_selected_action": [organisation.pk]},
    )

    organisation.refresh_from_db()
    assert organisation.is_verified is True
    assert organisation.verified_at is not None


def test_a_membership_added_in_the_admin_puts_the_user_in_the_role_group(admin_site, cso):
    user = UserFactory()

    response = admin_site.post(
        "/admin/organisations/membership/add/",
        {"user": user.pk, "organisation": cso.pk, "role": Role.ADMIN, "is_active": "on"},
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=user, organisation=cso).role == Role.ADMIN
    group = RoleGroup.objects.get(organisation=cso, role=Role.ADMIN).group
    assert list(user.groups.all()) == [group]
