from django import template

from referrals.insight import disclosure

register = template.Library()


@register.filter
def get_value(values: dict, key: str) -> object:
    return values.get(key)


@register.simple_tag
def min_cell_marker() -> int:
    return disclosure.min_cell()
