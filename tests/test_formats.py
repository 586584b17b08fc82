"""One date and time format per language, day before month and a 24-hour clock (issue 11): no
American order for a Tunisian city, no "p.m.." where a sentence ends on a time, and French
month names in lower case."""

from __future__ import annotations

import datetime

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
