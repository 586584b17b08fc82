import datetime

from django import template

from organisations.names import country_name, language_name
from referrals.models import SHAREABLE_FIELDS, AgeBand, Sex, Vulnerability

register = template.Library()

_CHOICES = {
    "age_band": dict(AgeBand.choices),
    "sex": dict(Sex.choices),
    "vulnerabilities": dict(Vulnerability.choices),
}


@register.filter
def shared_items(shared_data: dict | None) -> list[tuple[object, str, bool]]:
    """The snapshot as (label, readable value, typed) triples, in the order of the case form;
    ``typed`` says the value is what someone wrote (a name, a phone), not one of our labels, so
    that the page sets it in its own direction."""
    if not shared_data:
        return []
    items = []
    for name, label in SHAREABLE_FIELDS.items():
        if name not in shared_data:
            continue
        value = shared_data[name]
        choices = _CHOICES.get(name, {})
        if name == "nationality" and value:
            shown = country_name(str(value))
        elif name == "languages" and isinstance(value, list):
            shown = ", ".join(language_name(str(v)) for v in value)
        elif isinstance(value, list):
            shown = ", ".join(str(choices.get(v, v)) for v in value)
        else:
            shown = str(choices.get(value, value)) if value not in (None, "") else "—"
        typed = name not in _CHOICES and name not in ("nationality", "languages")
        items.append((label, shown or "—", typed and shown not in ("", "—")))
    return items


@register.filter
def field_label(name: str) -> object:
    return SHAREABLE_FIELDS.get(name, name)


@register.filter
def vulnerability_labels(codes: list[str]) -> str:
    labels = _CHOICES["vulnerabilities"]
    return ", ".join(str(labels.get(code, code)) for code in codes or [])


@register.filter
def get(mapping: dict | None, key: object) -> object:
    """``labels.state|get:code``: a label by its code, or the code when there is none."""
    return (mapping or {}).get(key, key)


@register.filter
def isodate(value: str | None) -> datetime.datetime | None:
    """An ISO 8601 string of an export back to a datetime, for the ``date`` filter."""
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
