"""A platform admin cannot give anyone (themselves included) access to personal data outside
the membership services: no groups or permissions on the user form, no group admin."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.test import Client

from organisations.models import RoleGroup
from referrals import permissions as referral_permissions
from tests.factories import UserFactory, member


def test_the_user_form_has_no_groups_nor_permissions(superuser, cso):
    person = member(cso, "caseworker", username="carla")
    client = Client()
    client.force_login(superuser)
    page = client.get(f"/admin/auth/user/{person.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="groups"' not in html
    assert 'name="user_permissions"' not in html
    assert cso.name in html  # memberships are listed, read-only


def test_posting_groups_to_the_user_form_grants_nothing(superuser, cso):
    group = RoleGroup.objects.get(organisation=cso, role="caseworker").group
    client = Client()
    client.force_login(superuser)
    response = client.post(
        f"/admin/auth/user/{superuser.pk}/change/",
        {
            "username": superuser.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "groups": [group.pk],
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code in (200, 302)
    superuser.refresh_from_db()
    assert not superuser.groups.exists()
    assert referral_permissions.case_list_visible(superuser).count() == 0


def test_groups_have_no_admin(superuser):
    client = Client()
    client.force_login(superuser)
    assert client.get("/admin/auth/group/").status_code == 404
    assert (
        client.get(f"/admin/auth/group/{Group.objects.create(name='x').pk}/change/").status_code
        == 404
    )


def test_a_new_user_is_still_created_in_the_admin(superuser):
    client = Client()
    client.force_login(superuser)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newbie",
            "password1": "a-Long-pass-2026!",
            "password2": "a-Long-pass-2026!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert UserFactory._meta.model.objects.filter(username="newbie").exists()
