from rest_framework import viewsets

from organisations import selectors
from organisations.api.filters import OrganisationFilter, ServiceFilter
from organisations.api.serializers import (
    OrganisationDetailSerializer,
    OrganisationListSerializer,
    ServiceSerializer,
)


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The directory of active organisations, open to every signed-in user."""

    filterset_class = OrganisationFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.organisation_detail_queryset().filter(is_active=True)
        return selectors.organisation_list()

    def get_serializer_class(self):
        return (
            OrganisationDetailSerializer
            if self.action == "retrieve"
            else OrganisationListSerializer
        )


class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The service directory: who offers what, where, and with what capacity."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter

    def get_queryset(self):
        return selectors.service_list()
