"""One date and time format per language, day before month and a 24-hour clock (issue 11): no
American order for a Tunisian city, no "p.m.." where a sentence ends on a time, and French
month names in lower case."""

from __future__ import annotations

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import translation

MOMENT = datetime.datetime(2026, 3, 9, 14, 30, tzinfo=datetime.UTC)  # 15:30 in Tunis


def _render(source: str, language: str) -> str:
    with translation.override(language):
        return Template("{% load tz %}" + source).render(Context({"moment": MOMENT}))


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_dates_are_day_first_on_a_24_hour_clock_in_every_language(language):
    short = _render('{{ moment|date:"SHORT_DATETIME_FORMAT" }}', language)
    long = _render('{{ moment|date:"DATETIME_FORMAT" }}', language)

    assert short.replace("\u200f", "") == "09/03/2026 15:30"
    assert "15:30" in long
    assert "p.m" not in long.lower()
    assert "م" not in long.split("2026")[-1]  # no Arabic "p.m." after the year


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Mon 9 Mar 2026, 15:30"), ("fr", "lun 9 mars 2026, 15:30"), ("ar", "مارس")],
)
def test_a_meetings_day_is_written_as_its_language_writes_it(language, expected):
    written = _render(
        '{% load coordination_tags %}{% timezone "Africa/Tunis" %}{{ moment|sitting_time }}'
        "{% endtimezone %}",
        language,
    )

    assert expected in written.replace(".", "")
    assert "Mars" not in written


@pytest.mark.parametrize(
    ("language", "arabic"), [("en", "Arabic"), ("fr", "arabe"), ("ar", "العربية")]
)
def test_languages_are_chosen_by_their_names_in_the_readers_language(language, arabic):
    """No raw codes (issue 11): a caseworker picks "arabe", the case keeps "ar"."""
    from referrals.forms import CaseForm

    with translation.override(language):
        widget = str(CaseForm()["languages"])
    first = re.search(r'<option value="([^"]+)">([^<]+)</option>', widget)

    assert first.groups() == ("ar", arabic)  # the region's languages first
    assert 'value="bm"' in widget  # Bambara, and every other language, by its name
    form = CaseForm(data={"age_band": "18-25", "sex": "female", "languages": ["ar", "bm"]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["languages"] == ["ar", "bm"]
