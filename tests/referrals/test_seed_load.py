"""``manage.py seed_load`` (issue 13): a skewed city in bulk, with the permission rows the
submit path leaves, so that the lists answer at scale as they answer in the product."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from coordination.models import Meeting
from organisations.models import Membership, Organisation, Role
from referrals import permissions, selectors
from referrals.models import OPEN_STATES, Case, Referral

pytestmark = pytest.mark.django_db


def _load(**numbers):
    call_command("seed_load", force=True, verbosity=0, **numbers)


def test_it_refuses_without_force_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_load", referrals=10, verbosity=0)
    assert not Organisation.objects.exists()


def test_a_small_city_skewed_towards_the_municipality_with_its_permissions():
    _load(organisations=12, users=100, referrals=1000, meetings=30)

    municipality = Organisation.objects.get(name="Load municipality")
    assert Organisation.objects.count() == 12
    assert get_user_model().objects.filter(username__startswith="load.").count() == 100
    assert Case.objects.count() == 500
    assert Referral.objects.count() == 1000
    assert Meeting.objects.count() == 30
    received = Referral.objects.filter(to_organisation=municipality).count()
    assert 180 <= received <= 260  # about a fifth
    assert Referral.objects.exclude(state__in=OPEN_STATES).count() > 600  # mostly ended
    assert not Referral.objects.filter(from_organisation=municipality).exists()

    # A municipal caseworker's inbox is every referral to the municipality, through the
    # product's own visibility rules; what is still open is theirs to act on.
    worker = Membership.objects.filter(organisation=municipality, role=Role.CASEWORKER).first()
    inbox = selectors.referral_list(user=worker.user, box=selectors.INBOX)
    assert inbox.count() == received
    open_one = inbox.filter(state__in=OPEN_STATES).first()
    assert open_one is not None
    assert permissions.can_view_referral(worker.user, open_one)
    # A CSO caseworker sees its own cases and the referrals it sent or received, nothing else.
    cso = Membership.objects.filter(role=Role.CASEWORKER).exclude(organisation=municipality)
    sender = cso.first()
    visible = set(permissions.referral_list_visible(sender.user).values_list("pk", flat=True))
    assert visible == set(
        Referral.objects.filter(from_organisation=sender.organisation).values_list("pk", flat=True)
    ) | set(
        Referral.objects.filter(to_organisation=sender.organisation).values_list("pk", flat=True)
    )
    assert set(permissions.case_list_visible(sender.user)) == set(
        Case.objects.filter(owner=sender.organisation)
    )


def test_it_loads_into_an_empty_database_only():
    _load(organisations=3, users=6, referrals=10, meetings=0)
    with pytest.raises(CommandError, match="already"):
        _load(organisations=3, users=6, referrals=10, meetings=0)
    # A benchmark may keep the city it finds.
    _load(organisations=3, users=6, referrals=10, meetings=0, reuse=True)
    assert Referral.objects.count() == 10
