"""config.representation.FastRepresentation gives DRF's own output, to the character, for every
referral of the world, in every time zone and for every reader (issue 13: the list serializer
was most of a list's Python time)."""

from __future__ import annotations

import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from referrals.api.serializers import ReferralSerializer
from referrals.models import Referral, State

pytestmark = pytest.mark.django_db


def _both(referral, context):
    serializer = ReferralSerializer(context=context)
    drf = serializers.ModelSerializer.to_representation(serializer, referral)
    fast = ReferralSerializer.__mro__[1].to_representation(serializer, referral)
    return drf, fast


@pytest.mark.parametrize("zone", ["UTC", "Africa/Tunis", "Asia/Kolkata"])
def test_every_field_of_every_referral_is_drf_s(world, zone):
    for state in State.values:
        if state not in (State.PENDING_MODERATION, State.REJECTED):  # other senders' paths
            world.referral(state)
    referrals = list(
        Referral.objects.select_related("case", "from_organisation", "to_organisation")
    )
    assert len({r.state for r in referrals}) >= 8
    contexts = [
        {"shared_ids": set(), "sender_ids": set()},
        {"shared_ids": {r.pk for r in referrals}, "sender_ids": {r.pk for r in referrals}},
    ]
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for referral in referrals:
            for context in contexts:
                drf, fast = _both(referral, context)
                assert fast == drf
                assert list(fast) == list(drf)  # the same keys in the same order
    # What the API sends is the fast one, free text withheld as before.
    sent = next(r for r in referrals if r.submitted_at is not None)
    data = ReferralSerializer(sent, context=contexts[0]).data
    assert data["reason"] is None
    assert data["submitted_at"].endswith(("Z", "+01:00", "+05:30"))
