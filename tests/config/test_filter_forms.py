"""A list's filter form is drawn once per language and choice (issue 13: Django's widget
templates, one per option, were 7 ms of the web inbox), and the HTML kept is the HTML Django
draws: the same fields, the chosen values selected, in the page's language."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from config import filterforms
from referrals.forms import ReferralFilterForm

CHOICES = [
    None,
    {},
    {"state": "accepted"},
    {"state": "submitted", "urgency": "high", "overdue": "on", "assigned": "me"},
    {"category": "shelter", "overdue": "true"},
]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("data", CHOICES)
def test_the_kept_html_is_what_django_draws(language, data):
    with translation.override(language):
        form = ReferralFilterForm(data)
        drawn = filterforms._draw(ReferralFilterForm(data))

        assert form.as_fields() == drawn
        assert form.as_fields() == drawn  # kept, still the same
        assert isinstance(form.as_fields(), SafeString)  # escaped once, by the engine


def test_the_chosen_values_are_selected_and_labels_translated():
    with translation.override("fr"):
        html = ReferralFilterForm({"state": "accepted", "overdue": "on"}).as_fields()

    assert '<option value="accepted" selected>' in html
    assert 'name="overdue" id="id_overdue" checked' in html
    assert '<label for="id_state">État\xa0:</label>' in html
    assert '<option value="accepted" selected>Acceptée</option>' in html


def test_a_second_page_with_the_same_filters_draws_nothing(monkeypatch):
    filterforms._drawn.cache_clear()
    drawn = []
    monkeypatch.setattr(filterforms, "_draw", lambda form: drawn.append(form) or "html")

    for _ in range(3):
        ReferralFilterForm({"state": "accepted"}).as_fields()
    ReferralFilterForm({"state": "submitted"}).as_fields()

    assert len(drawn) == 2
    filterforms._drawn.cache_clear()


def test_an_invalid_value_is_drawn_as_given_and_not_kept(monkeypatch):
    filterforms._drawn.cache_clear()
    form = ReferralFilterForm({"state": "<script>"})

    html = form.as_fields()

    assert "<script>" not in html
    assert filterforms._drawn.cache_info().currsize == 0
