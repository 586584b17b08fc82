import django_filters
from django import forms

from organisations.models import (
    CapacityStatus,
    Organisation,
    OrganisationKind,
    Service,
    ServiceCategory,
)


class StrictBooleanFilter(django_filters.BooleanFilter):
    """``true`` or ``false`` (django-filter's own also takes ``null`` and ignores the filter)."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")])
        kwargs.setdefault("coerce", lambda value: value in ("true", "1"))
        super().__init__(*args, **kwargs)


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
    organisation = django_filters.NumberFilter(field_name="organisation_id", min_value=1)

    class Meta:
        model = Service
        fields = ["category", "city", "capacity_status", "organisation"]
