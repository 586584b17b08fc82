"""The directory (open to every signed-in user) and what an organisation's admins change in it:
the profile, the services with their capacity, and the members. Thin: services decide."""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotAllowed, NotVisible, object_id
from config.pagination import Pages
from config.renderers import FileRenderer
from organisations import permissions, selectors, services
from organisations.api.filters import OrganisationFilter, ServiceFilter
from organisations.api.serializers import (
    MatrixQuerySerializer,
    MatrixSerializer,
    MemberInviteSerializer,
    MembershipPatchSerializer,
    MembershipSerializer,
    OrganisationDetailSerializer,
    OrganisationListSerializer,
    OrganisationProfileSerializer,
    ServiceCreateSerializer,
    ServicePatchSerializer,
    ServiceSerializer,
    matrix_data,
)
from organisations.models import Membership, Organisation, Partnership, Service


class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The directory of active organisations, open to every signed-in user; its admins (and
    platform admins) edit the profile and the members."""

    filterset_class = OrganisationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.organisation_list()
        return selectors.organisation_detail_queryset().filter(is_active=True)

    def get_serializer_class(self):
        return OrganisationListSerializer if self.action == "list" else OrganisationDetailSerializer

    def _managed(self, pk: object) -> Organisation:
        """The organisation, for its admins: who may is asked before any body is read."""
        organisation = get_object_or_404(Organisation.objects.active(), pk=object_id(pk))
        if not permissions.can_manage_organisation(self.request.user, organisation):
            raise NotAllowed()
        return organisation

    @extend_schema(
        request=OrganisationProfileSerializer, responses={200: OrganisationDetailSerializer}
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """The public profile (403 for anyone but the organisation's admins)."""
        organisation = self._managed(pk)
        body = OrganisationProfileSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.organisation_update(
            organisation=organisation, actor=request.user, **body.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=organisation.pk)).data)

    @extend_schema(methods=["GET"], responses={200: MembershipSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=MemberInviteSerializer,
        responses={201: MembershipSerializer},
        description="Add a person by e-mail with a role; a new account receives a link to "
        "choose its password. An existing member gets the role and access again.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=Pages, filter_backends=[])
    def members(self, request: Request, pk: str | None = None) -> Response:
        """The members, for the organisation's admins."""
        organisation = self._managed(pk)
        if request.method == "POST":
            body = MemberInviteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            membership = services.member_invite(
                organisation=organisation, actor=request.user, **body.validated_data
            )
            return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        members = selectors.organisation_members(organisation=organisation, actor=request.user)
        page = self.paginate_queryset(members)
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    @extend_schema(request=MembershipPatchSerializer, responses={200: MembershipSerializer})
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"members/(?P<membership_id>[0-9]+)",
        url_name="membership",
    )
    def membership(
        self, request: Request, pk: str | None = None, membership_id: str | None = None
    ) -> Response:
        """Change a member's role, end their access (``is_active: false``) or give it back."""
        organisation = self._managed(pk)
        membership = get_object_or_404(
            Membership.objects.select_related("user", "organisation"),
            pk=object_id(membership_id),
            organisation=organisation,
        )
        body = MembershipPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.membership_update(
            membership=membership, actor=request.user, **body.validated_data
        )
        return Response(MembershipSerializer(membership).data)


class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The service directory: who offers what, where, in which languages and with what
    capacity. An organisation's admins add services and change them (capacity in one call)."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.service_list()

    @extend_schema(
        parameters=[MatrixQuerySerializer],
        responses={200: MatrixSerializer},
        summary="Who does what where",
        description="Service categories by organisations for one city (or district): overlaps "
        "(several organisations offer the same) and gaps (nobody does).",
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def matrix(self, request: Request) -> Response:
        query = MatrixQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        matrix = selectors.service_matrix(**query.validated_data)
        return Response(MatrixSerializer(matrix_data(matrix)).data)

    @extend_schema(request=ServiceCreateSerializer, responses={201: ServiceSerializer})
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        body = ServiceCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        service = services.service_create(
            organisation=data.pop("organisation"), actor=request.user, **data
        )
        return Response(ServiceSerializer(service).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ServicePatchSerializer, responses={200: ServiceSerializer})
    def partial_update(self, request: Request, pk: str | None = None, **kwargs: object) -> Response:
        # Archived services are out of the directory but still their organisation's to edit.
        service = get_object_or_404(
            Service.objects.select_related("organisation").filter(organisation__is_active=True),
            pk=object_id(pk),
        )
        manager = permissions.can_manage_organisation(request.user, service.organisation)
        if not service.is_active and not manager:
            raise NotVisible()
        body = ServicePatchSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        active = data.pop("is_active", None)
        with transaction.atomic():  # both changes or neither
            service = services.service_update(service=service, actor=request.user, **data)
            if active is not None:
                service = services.service_set_active(
                    service=service, actor=request.user, active=active
                )
        return Response(ServiceSerializer(service).data)


class PartnershipDocumentView(APIView):
    """The signed agreement of a partnership, for signed-in users (never a public media URL)."""

    renderer_classes = [renderers.JSONRenderer, FileRenderer]

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The file as it was uploaded."
            )
        }
    )
    def get(self, request: Request, pk: str) -> FileResponse:
        partnership = get_object_or_404(Partnership, pk=object_id(pk))
        if not partnership.document:
            raise NotVisible()
        return FileResponse(partnership.document.open("rb"), as_attachment=True)
