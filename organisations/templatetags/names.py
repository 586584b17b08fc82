"""Template filters that show names instead of codes: ``{{ case.nationality|country }}``,
``{{ service.languages|language_list }}``."""

from django import template
from django.utils.html import format_html

from organisations import names

register = template.Library()


@register.filter
def country(code: str) -> str:
    return names.country_name(str(code or ""))


@register.filter
def language_list(codes: list[str] | None) -> str:
    return names.language_names(codes)


@register.filter
def bdi(value: object) -> str:
    """A name someone typed, isolated from the sentence around it: an organisation named in
    Latin letters keeps its punctuation in place inside an Arabic sentence, and the reverse."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter(name="isolate")
def isolate_filter(value: object) -> str:
    """A name inside plain text (notifications): isolated when the text is shown in a page."""
    return names.isolate(value)
