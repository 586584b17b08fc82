"""config.choices.FastChoiceLabels: the same labels as Django's get_FOO_display(), in every
language, for a fraction of the translations."""

from __future__ import annotations

from unittest.mock import patch

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import trans_real

from referrals.models import Referral, State, Urgency


def test_the_labels_are_django_s_in_every_language():
    field = Referral._meta.get_field("state")
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value in [*State.values, "not-a-state"]:
                referral = Referral(state=value)
                assert referral.get_state_display() == models.Model._get_FIELD_display(
                    referral, field
                )
    with translation.override("fr"):
        assert Referral(state=State.SUBMITTED).get_state_display() != "Submitted"


def test_one_label_costs_one_translation():
    referral = Referral(state=State.ACCEPTED, urgency=Urgency.HIGH)
    referral.get_state_display()  # the labels are gathered once per field
    real = trans_real.gettext
    with (
        translation.override("ar"),
        patch.object(trans_real, "gettext", side_effect=real) as translated,
    ):
        referral.get_state_display()
        referral.get_urgency_display()
    assert translated.call_count <= 2
