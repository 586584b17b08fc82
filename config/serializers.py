"""The API's base serializer: what is unset is ``null``, as the schema says.

The database keeps an unset code or link as ``""``; an enum or ``format: uri`` in the schema
cannot hold ``""``, so generated clients choke on it. Every model serializer of the project
derives from ``ModelSerializer`` here (a test keeps it so); it maps such columns to fields that
answer ``null`` and accept ``null`` (or ``""``) for "unset".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.utils import html

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


def typed(field: serializers.Field) -> bool:
    """Whether the body came as JSON, whose values carry their type. A form's values are all
    text ("3", "true", "" for none), which DRF's fields read as the number, the yes or the null;
    a JSON client that sends "3" for an id or 0 for "no" sends what the schema refuses."""
    return not html.is_html_input(getattr(field.root, "initial_data", None))


def _is_integer(data: Any) -> bool:
    return not isinstance(data, bool) and (
        isinstance(data, int) or (isinstance(data, float) and data.is_integer())
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


class StrictBooleanField(serializers.BooleanField):
    """true or false. DRF reads a check box left out of an HTML form as false: here a value left
    out is left out (an empty body must never mean "no"), and a required one is an error. In
    JSON, only ``true`` and ``false`` (DRF also takes 0, 1, "yes", "off"...)."""

    def get_value(self, dictionary: Any) -> Any:
        if self.field_name not in dictionary:
            return empty
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> bool:
        if typed(self) and not isinstance(data, bool):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A number, not its text (in JSON), and never ``true``."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or (typed(self) and not _is_integer(data)):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.NUMBER)
class StrictDecimalField(serializers.DecimalField):
    """A JSON number (never its text, ``true`` or ""), answered as a number. Too many digits is
    a 400 naming the field. The schema says "number": OpenAPI 3.0's exclusive bounds of DRF's
    decimal would read as other bounds to a JSON Schema client."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["coerce_to_string"] = False
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None or data is empty or not typed(self):
            return super().validate_empty_values(data)
        return serializers.Field.validate_empty_values(self, data)  # "" is not null in JSON

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or (typed(self) and not isinstance(data, int | float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    """One of the choices, of the choices' own type: ``"1"`` or ``true`` is not the choice 1."""

    def to_internal_value(self, data: Any) -> Any:
        kinds = {type(key) for key in self.choices}
        if typed(self) and data != "" and type(data) not in kinds:
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of ids: DRF takes an object (``{}``) for an empty list."""

    def to_internal_value(self, data: Any) -> list:
        if isinstance(data, Mapping):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id is a number in JSON: not its text, not ``true``, and ``""`` is not "none"
    (``null`` is, where the field allows it). Forms keep their text."""

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> StrictManyRelatedField:
        child = cls(*args, **kwargs)
        keep = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return StrictManyRelatedField(child_relation=child, **keep)

    def run_validation(self, data: Any = empty) -> Any:
        if data == "" and typed(self):
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or (typed(self) and not _is_integer(data)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


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


class OptionalChoiceField(_BlankIsNull, StrictChoiceField):
    pass


class OptionalURLField(_BlankIsNull, serializers.URLField):
    pass


class OptionalEmailField(_BlankIsNull, serializers.EmailField):
    pass


class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
        **dict.fromkeys(
            (
                models.IntegerField,
                models.BigIntegerField,
                models.SmallIntegerField,
                models.PositiveIntegerField,
                models.PositiveSmallIntegerField,
                models.PositiveBigIntegerField,
                models.AutoField,
                models.BigAutoField,
            ),
            StrictIntegerField,
        ),
        models.DecimalField: StrictDecimalField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField
    serializer_choice_field = StrictChoiceField

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


class WholeItem(serializers.Serializer):
    """An item of a list in a request body, whole even in a PATCH: DRF lets a partial update skip
    the required fields of nested items, which the code then finds missing (a 500)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            missing = {
                name: [_("This field is required.")]
                for name, field in self.fields.items()
                if field.required and not field.read_only and name not in data
            }
            if missing:
                raise serializers.ValidationError(missing)
        return super().to_internal_value(data)


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
