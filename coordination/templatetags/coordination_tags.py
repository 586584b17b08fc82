from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

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
