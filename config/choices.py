"""Choice labels looked up once per field, not rebuilt on every ``get_FOO_display()``."""

from __future__ import annotations

from typing import Any

from django.db.models import Field
from django.utils.encoding import force_str

_LABELS: dict[Field, dict[Any, Any]] = {}


class FastChoiceLabels:
    """A model mixin for rows shown by the page-full. Django's ``get_FOO_display()`` makes the
    field's whole list of choices hashable on every call, which translates every label: a page of
    25 referrals showing state, urgency and category ran 800 translations (5 ms). The labels
    are kept here by field, lazy, and only the one shown is translated."""

    def _get_FIELD_display(self, field: Field) -> str:  # noqa: N802 - Django's name
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value (a list in a JSON field): Django's own way
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return force_str(label, strings_only=True)
