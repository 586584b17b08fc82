"""``seed_demo`` builds the demo world of DESIGN.md exactly, and only when asked to."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from coordination.models import CoordinationGroup
from organisations import selectors
from organisations.models import Membership, Organisation, Partnership, RoleGroup, Service

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"
MUNICIPALITY = "Municipality of Sfax"
CSO1 = "Sfax Solidarity Network"
CSO2 = "Legal Aid Sfax"
IO = "Mediterranean Migration Office"

# The contract, spelled out here rather than imported, so that a change to the demo module shows.
ORGANISATIONS = {
    MUNICIPALITY: ("municipality", True),
    CSO1: ("cso", True),
    CSO2: ("cso", True),
    IO: ("international", False),
}
USERS = {
    "muni.staff": (MUNICIPALITY, "caseworker"),
    "muni.supervisor": (MUNICIPALITY, "supervisor"),
    "cso1.worker": (CSO1, "caseworker"),
    "cso1.supervisor": (CSO1, "supervisor"),
    "cso1.admin": (CSO1, "admin"),
    "cso2.worker": (CSO2, "caseworker"),
    "io.coordinator": (IO, "caseworker"),
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "services": Service.objects.count(),
        "partnerships": Partnership.objects.count(),
        "groups": Group.objects.count(),
        "role_groups": RoleGroup.objects.count(),
        "coordination_groups": CoordinationGroup.objects.count(),
        "group_memberships": get_user_model().groups.through.objects.count(),
    }


@pytest.fixture
def seeded(db):
    seed("--force")


def test_it_refuses_without_debug_or_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed()

    assert not Organisation.objects.exists()
    assert not get_user_model().objects.exists()


def test_it_runs_with_debug_on(settings):
    settings.DEBUG = True

    output = seed()

    assert Organisation.objects.count() == 4
    assert PASSWORD in output


def test_it_creates_the_four_organisations(seeded):
    organisations = {
        o.name: (o.kind, o.is_verified) for o in Organisation.objects.filter(is_active=True)
    }

    assert organisations == ORGANISATIONS
    assert set(Organisation.objects.values_list("city", flat=True)) == {"Sfax"}
    assert all(o.verified_at is not None for o in Organisation.objects.filter(is_verified=True))


def test_it_creates_the_seven_users_in_their_organisations(seeded):
    memberships = {
        m.user.username: (m.organisation.name, m.role)
        for m in Membership.objects.select_related("user", "organisation")
    }

    assert memberships == USERS
    for username, (organisation_name, role) in USERS.items():
        user = get_user_model().objects.get(username=username)
        assert user.is_active
        assert not user.is_superuser
        # Access goes with the membership: the user sits in exactly that role's group.
        assert [m.organisation.name for m in selectors.memberships_of(user)] == [organisation_name]
        assert list(user.groups.values_list("role_group__role", flat=True)) == [role]


def test_only_the_organisation_admin_manages_it(seeded):
    cso1 = Organisation.objects.get(name=CSO1)
    managers = {
        user.username
        for user in get_user_model().objects.all()
        if user.has_perm("organisations.manage_organisation", cso1)
    }

    assert managers == {"cso1.admin", "admin"}


def test_every_demo_user_signs_in_with_the_published_password(seeded):
    users = get_user_model().objects.filter(username__in=[*USERS, "admin"])

    assert users.count() == 8
    for user in users:
        assert user.check_password(PASSWORD), user.username
        assert not user.check_password("wrong-password")


def test_it_creates_the_superuser_admin(seeded):
    admin = get_user_model().objects.get(username="admin")

    assert admin.is_superuser
    assert admin.is_staff
    assert admin.is_active
    assert not admin.memberships.exists()
    assert set(get_user_model().objects.values_list("username", flat=True)) == {*USERS, "admin"}


def test_the_partnership_makes_the_solidarity_network_trusted(seeded):
    partnership = Partnership.objects.get()

    assert partnership.municipality.name == MUNICIPALITY
    assert partnership.organisation.name == CSO1
    assert partnership.is_in_force
    trusted = {o.name for o in Organisation.objects.with_trust() if o.is_trusted}
    assert trusted == {CSO1}


def test_it_creates_the_coordination_group(seeded):
    group = CoordinationGroup.objects.get()

    assert group.name == "Sfax migration coordination"
    assert group.convening_organisation.name == MUNICIPALITY
    assert set(group.members.values_list("name", flat=True)) == set(ORGANISATIONS)
    assert group.members.count() == 4
    assert set(group.coordinators.values_list("username", flat=True)) == {
        "muni.supervisor",
        "io.coordinator",
    }


def test_every_organisation_offers_services(seeded):
    for name in ORGANISATIONS:
        services = Service.objects.active().filter(organisation__name=name)
        assert services.exists(), name
        assert all(s.city == "Sfax" for s in services)


def test_running_it_twice_changes_nothing(seeded):
    before = counts()

    seed("--force")

    assert counts() == before
    assert before["organisations"] == 4
    assert before["users"] == 8
    assert before["memberships"] == 7
    assert before["partnerships"] == 1
    assert before["coordination_groups"] == 1
    assert before["group_memberships"] == 7


def test_running_it_again_restores_the_demo_world(seeded):
    worker = get_user_model().objects.get(username="cso1.worker")
    worker.set_password("something-else-entirely")
    worker.save()
    membership = Membership.objects.get(user=worker)
    membership.is_active = False
    membership.save()
    Service.objects.filter(organisation__name=CSO2).update(is_active=False)

    seed("--force")

    worker.refresh_from_db()
    assert worker.check_password(PASSWORD)
    assert selectors.memberships_of(worker).get().organisation.name == CSO1
    assert worker.groups.count() == 1
    assert Service.objects.active().filter(organisation__name=CSO2).exists()
