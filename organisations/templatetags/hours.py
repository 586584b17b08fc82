"""Opening hours written out in the reader's language, and a link that opens a place in a map
application."""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from organisations import hours
from organisations.models import Service

register = template.Library()


def _ranges(ranges) -> SafeString:
    if not ranges:
        return format_html("{}", _("closed"))
    times = ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in ranges)
    return format_html('<span dir="ltr">{}</span>', times)


@register.simple_tag
def opening_week(rule: str) -> SafeString:
    """The next seven days from today, consecutive days with the same hours on one line
    ("Monday – Friday: 08:30–16:30"); the text as written when it is not in the syntax."""
    days = hours.week(rule)
    if not days:
        return format_html("<bdi>{}</bdi>", rule)
    if len({day.ranges for day in days}) == 1:
        return format_html(
            '<ul class="week"><li>{}: {}</li></ul>', _("Every day"), _ranges(days[0].ranges)
        )
    lines: list[list] = []
    for day in days:
        if lines and lines[-1][2] == day.ranges:
            lines[-1][1] = day.date
        else:
            lines.append([day.date, day.date, day.ranges])
    rows = []
    for first, last, ranges in lines:
        name = formats.date_format(first, "l")
        if last != first:
            name = f"{name} – {formats.date_format(last, 'l')}"
        rows.append((name, _ranges(ranges)))
    return format_html(
        '<ul class="week">{}</ul>',
        format_html_join("", "<li>{}: {}</li>", rows),
    )


def _place(service: Service) -> str:
    return quote(f"{service.organisation.address}, {service.city}")


@register.filter
def map_url(service: Service) -> str:
    """A ``geo:`` address search, which phones hand to their map application."""
    return f"geo:0,0?q={_place(service)}"


@register.filter
def web_map_url(service: Service) -> str:
    """The same search on OpenStreetMap's website, for phones without a ``geo:`` handler."""
    return f"https://www.openstreetmap.org/search?query={_place(service)}"
