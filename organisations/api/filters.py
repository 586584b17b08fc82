import django_filters

from organisations.models import (
    CapacityStatus,
    Organisation,
    OrganisationKind,
    Service,
    ServiceCategory,
)


class OrganisationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search")
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

    class Meta:
        model = Service
        fields = ["category", "city", "capacity_status", "organisation"]
