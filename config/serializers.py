"""The API's base serializer: what is unset is ``null``, as the schema says.

The database keeps an unset code or link as ``""``; an enum or ``format: uri`` in the schema
cannot hold ``""``, so generated clients choke on it. Every model serializer of the project
derives from ``ModelSerializer`` here (a test keeps it so); it maps such columns to fields that
answer ``null`` and accept ``null`` (or ``""``) for "unset".
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers


class _BlankIsNull:
    """``""`` out as ``null``; ``null`` or ``""`` in as ``""`` (the column is not nullable)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("allow_blank", None)
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


class ModelSerializer(serializers.ModelSerializer):
    def build_standard_field(self, field_name: str, model_field: models.Field) -> tuple:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if getattr(model_field, "null", True) or not getattr(model_field, "blank", False):
            return field_class, kwargs
        if model_field.choices and issubclass(field_class, serializers.ChoiceField):
            return OptionalChoiceField, kwargs
        if isinstance(model_field, models.URLField):
            return OptionalURLField, kwargs
        return field_class, kwargs
