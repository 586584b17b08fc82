import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

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

    class Meta:
        model = Service
        fields = ["category", "city", "capacity_status", "organisation"]
