"""The API's base serializer: what is unset is ``null``, as the schema says.

The database keeps an unset code or link as ``""``; an enum or ``format: uri`` in the schema
cannot hold ``""``, so generated clients choke on it. Every model serializer of the project
derives from ``ModelSerializer`` here (a test keeps it so); it maps such columns to fields that
answer ``null`` and accept ``null`` (or ``""``) for "unset".
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

# What text may hold, said in the schema with patterns both JSON Schema (ECMA) and Python read
# alike, so that a client generated from it never sends what will be refused: no NUL character
# (DRF refuses it), and required text holds more than spaces (Python's idea of a space, which
# DRF trims, is wider than ECMA's \s: both are listed).
_SPACES = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\x1c-\x1f\x85"
# "+", not "*": the empty value is the schema's other branch (maxLength 0), and a pattern that
# also matched it would make "" valid under both branches of the schema's oneOf.
NO_NUL = RegexValidator(r"^[^\x00]+$", message=_("Null characters are not allowed."))
SOMETHING_WRITTEN = RegexValidator(
    rf"^[^\x00]*[^\x00{_SPACES}][^\x00]*$", message=_("Write something.")
)


class StrictCharField(serializers.CharField):
    """Text, and only text: DRF's own turns a number or a boolean into a string."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def required_text(**kwargs: Any) -> serializers.CharField:
    """A text field that must be written (not blank, not only spaces)."""
    kwargs.setdefault("min_length", 1)
    kwargs["validators"] = [*kwargs.get("validators", []), SOMETHING_WRITTEN]
    return StrictCharField(**kwargs)


def optional_text(**kwargs: Any) -> serializers.CharField:
    """A text field that may be left empty."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs["validators"] = [*kwargs.get("validators", []), NO_NUL]
    return StrictCharField(**kwargs)


class _BlankIsNull:
    """``""`` out as ``null``; ``null`` or ``""`` in as ``""`` (the column is not nullable)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["allow_blank"] = True  # else DRF's text fields refuse "" before we see it
        kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data in (None, "") and not self.read_only:
            if self.required:
                self.fail("required")
            return True, ""
        return super().validate_empty_values(data)

    def to_representation(self, value: Any) -> Any:
        return None if value in ("", None) else super().to_representation(value)


class OptionalChoiceField(_BlankIsNull, serializers.ChoiceField):
    pass


class OptionalURLField(_BlankIsNull, serializers.URLField):
    pass


class OptionalEmailField(_BlankIsNull, serializers.EmailField):
    pass


class StrictBooleanField(serializers.BooleanField):
    """true or false. DRF reads a check box left out of an HTML form as false: here a value left
    out is left out (an empty body must never mean "no"), and a required one is an error."""

    def get_value(self, dictionary: Any) -> Any:
        if self.field_name not in dictionary:
            return empty
        return super().get_value(dictionary)


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }

    def build_standard_field(self, field_name: str, model_field: models.Field) -> tuple:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        text = isinstance(model_field, models.CharField | models.TextField)
        if text and not model_field.choices and field_class is StrictCharField:
            written = not model_field.blank
            if written:
                kwargs.setdefault("min_length", 1)
            validator = SOMETHING_WRITTEN if written else NO_NUL
            kwargs["validators"] = [*kwargs.get("validators", []), validator]
            return field_class, kwargs
        if getattr(model_field, "null", True) or not getattr(model_field, "blank", False):
            return field_class, kwargs
        if model_field.choices and issubclass(field_class, serializers.ChoiceField):
            return OptionalChoiceField, kwargs
        if isinstance(model_field, models.URLField):
            return OptionalURLField, kwargs
        if isinstance(model_field, models.EmailField):
            return OptionalEmailField, kwargs
        return field_class, kwargs


class QueryBooleanField(StrictBooleanField):
    """A yes/no query parameter: absent is "not filtered"; present, it is ``true`` or ``false``
    (DRF would also read ``null`` as absent, which the schema does not allow)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(required=False)
        super().__init__(**kwargs)


class QuerySerializer(serializers.Serializer):
    """Query parameters, validated and documented by the same fields (``parameters=[...]``).

    DRF reads an empty value of an optional field as absent, as HTML forms need; an API client
    that sends ``?state=`` (not a state) or ``?group=`` (not a number) gets a 400 naming it,
    as the schema says. Text fields may be empty (``?city=`` filters nothing).
    """

    def to_internal_value(self, data: Any) -> Any:
        blank = {
            name: [_("Give a value or leave the parameter out.")]
            for name, field in self.fields.items()
            if _sent_empty(data, name) and not getattr(field, "allow_blank", False)
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


def _sent_empty(data: Any, name: str) -> bool:
    return hasattr(data, "getlist") and name in data and data.get(name) == ""
