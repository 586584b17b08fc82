"""Template filters that show names instead of codes: ``{{ case.nationality|country }}``,
``{{ service.languages|language_list }}``."""

from django import template

from organisations import names

register = template.Library()


@register.filter
def country(code: str) -> str:
    return names.country_name(str(code or ""))


@register.filter
def language_list(codes: list[str] | None) -> str:
    return names.language_names(codes)
