"""The directory as open data: the Open Referral HSDS 3.0 API profile, read-only, for anyone.

``/api/hsds/`` (about), ``/api/hsds/services/`` and ``/api/hsds/services/{id}``,
``/api/hsds/organizations/`` and ``/api/hsds/organizations/{id}``, paginated as HSDS says, and
``/api/hsds/datapackage.zip`` (the tabular data package: CSV files and ``datapackage.json``),
(``page``, ``per_page``; ``total_items``, ``contents``...). Only what ``Service.objects.public()``
lets out, and the organisations that offer it. No session, no token, no cookie: the pages are
served from the cache (``OPEN_DATA_CACHE_SECONDS``), so that heavy traffic does not reach the
case database. Documented by the HSDS profile itself, not in Relais' own OpenAPI schema.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import NotVisible
from config.serializers import QuerySerializer, StrictIntegerField
from organisations import hsds, hsds_tabular
from organisations.models import Organisation, Service

MAX_PER_PAGE = 200
OPENAPI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"


class PageQuery(QuerySerializer):
    page = StrictIntegerField(required=False, min_value=1, default=1)
    per_page = StrictIntegerField(required=False, min_value=1, max_value=MAX_PER_PAGE, default=50)
    organization_id = serializers.UUIDField(required=False)


def public_services() -> QuerySet[Service]:
    return Service.objects.public().select_related("organisation").order_by("pk")


def public_organisations() -> QuerySet[Organisation]:
    offered = public_services().filter(organisation=OuterRef("pk"))
    return Organisation.objects.active().filter(Exists(offered)).order_by("pk")


class _OpenData(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def query(self, request: Request) -> dict:
        params = PageQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def paged(self, request: Request, rows: QuerySet, build) -> Response:
        params = self.query(request)
        number, size = params["page"], params["per_page"]
        total = rows.count()
        chosen = list(rows[(number - 1) * size : number * size])
        return Response(
            hsds.page([build(row) for row in chosen], total=total, number=number, size=size)
        )


@extend_schema(exclude=True)
class AboutView(_OpenData):
    def get(self, request: Request) -> Response:
        return Response(
            {"version": "3.0.0", "profile": "https://openreferral.org/", "openapi_url": OPENAPI}
        )


@extend_schema(exclude=True)
class ServiceListView(_OpenData):
    def get(self, request: Request) -> Response:
        rows = public_services()
        organization_id = self.query(request).get("organization_id")
        if organization_id is not None:
            ids = [
                o.pk
                for o in public_organisations()
                if hsds.hsds_id("organization", o.pk) == str(organization_id)
            ]
            rows = rows.filter(organisation_id__in=ids)
        return self.paged(request, rows, hsds.service)


@extend_schema(exclude=True)
class ServiceDetailView(_OpenData):
    def get(self, request: Request, pk: str) -> Response:
        found = next((s for s in public_services() if hsds.hsds_id("service", s.pk) == pk), None)
        if found is None:
            raise NotVisible()
        return Response(hsds.service(found, full=True))


@extend_schema(exclude=True)
class OrganizationListView(_OpenData):
    def get(self, request: Request) -> Response:
        return self.paged(request, public_organisations(), hsds.organization)


@extend_schema(exclude=True)
class OrganizationDetailView(_OpenData):
    def get(self, request: Request, pk: str) -> Response:
        found = next(
            (o for o in public_organisations() if hsds.hsds_id("organization", o.pk) == pk), None
        )
        if found is None:
            raise NotVisible()
        return Response(hsds.organization(found, full=True))


@extend_schema(exclude=True)
class DatapackageView(_OpenData):
    """The tabular data package: a zip of CSV files and ``datapackage.json``."""

    def get(self, request: Request) -> HttpResponse:
        services = list(public_services())
        body = hsds_tabular.datapackage(services, list(public_organisations()))
        response = HttpResponse(body, content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="relais-directory-hsds.zip"'
        return response
