import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from organisations import selectors
from organisations.models import (
    CapacityStatus,
    Organisation,
    OrganisationKind,
    Service,
    ServiceCategory,
)


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (or absent); django-filter's own also reads ``null`` or any other
    word as "not filtered"."""

    widget = forms.TextInput  # the select widget turns "null" into "absent" before we see it

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "True", "1", True):
            return True
        if value in ("false", "False", "0", False):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A whole-number id (django-filter's number takes 1.5 and rounds it)."""

    field_class = forms.IntegerField


LANGUAGE_CODE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


class LanguageCodeField(forms.RegexField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 12)
        super().__init__(
            LANGUAGE_CODE, error_messages={"invalid": _("Give a language code.")}, **kwargs
        )


@extend_schema_field({"type": "string", "pattern": LANGUAGE_CODE, "maxLength": 12})
class LanguageFilter(django_filters.Filter):
    """An ISO 639 code (not free text: ``?language=`` is a 400 like any value that is none)."""

    field_class = LanguageCodeField


class OrganisationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search")
    is_verified = StrictBooleanFilter()
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    city = django_filters.CharFilter(lookup_expr="iexact")
    category = django_filters.ChoiceFilter(
        choices=ServiceCategory.choices, method="filter_category"
    )

    class Meta:
        model = Organisation
        fields = ["kind", "city", "is_verified"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(services__category=value, services__is_active=True).distinct()


class ServiceFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices)
    city = django_filters.CharFilter(lookup_expr="iexact")
    capacity_status = django_filters.ChoiceFilter(choices=CapacityStatus.choices)
    # An id, not a choice among the directory: an unknown organisation offers nothing.
    organisation = IdFilter(field_name="organisation_id")
    language = LanguageFilter(
        method="filter_language",
        help_text="A language code (ISO 639), e.g. ar: services where it is spoken.",
    )

    class Meta:
        model = Service
        fields = ["category", "city", "capacity_status", "organisation", "language"]

    def filter_language(self, queryset, name, value):
        return selectors.speaking(queryset, value)
