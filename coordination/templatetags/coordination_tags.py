from __future__ import annotations

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from coordination import recurrence
from coordination.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Minutes: Markdown rendered and sanitised (see ``coordination.rendering``)."""
    return render_markdown(text)


@register.filter
def describe_rule(meeting: object) -> str:
    """'Monthly on the first Tuesday', in the reader's language."""
    return recurrence.describe(meeting.rrule, tz=meeting.tz)


# A meeting's day and time as each language writes it, with the weekday people plan by (Django's
# "M" is title-cased, which French does not do with month names: hence "F" there).
SITTING_FORMATS = {"en": "D j M Y, H:i", "fr": "D j F Y, H:i", "ar": "l j F Y، H:i"}


@register.filter(expects_localtime=True)
def sitting_time(value: datetime.datetime | None) -> str:
    if not value:
        return ""
    return date_format(value, SITTING_FORMATS.get(get_language(), SITTING_FORMATS["en"]))
