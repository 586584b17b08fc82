"""Contingency plans of a group (a scenario, who does what) and a group's own settings, through
the API as on the web. Members read; coordinators write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import NotVisible, object_id
from config.serializers import (
    ModelSerializer,
    StrictPrimaryKeyRelatedField,
    WholeItem,
    optional_text,
    required_text,
)
from coordination import permissions, services
from coordination.api.serializers import TimeZoneField
from coordination.models import ContingencyPlan, CoordinationGroup, PlanRole
from organisations.models import Organisation

if TYPE_CHECKING:
    from django.db.models import QuerySet


class ContingencyPlanRoleSerializer(ModelSerializer):
    class Meta:
        model = PlanRole
        fields = ["organisation", "role", "contact"]


class ContingencyPlanSerializer(ModelSerializer):
    roles = ContingencyPlanRoleSerializer(many=True, read_only=True)

    class Meta:
        model = ContingencyPlan
        fields = [
            "id",
            "group",
            "title",
            "scenario",
            "contacts",
            "last_reviewed_on",
            "roles",
            "updated_at",
        ]
        read_only_fields = fields


class ContingencyPlanRoleInput(WholeItem):
    organisation = StrictPrimaryKeyRelatedField(queryset=Organisation.objects.active())
    role = optional_text(help_text="What it does in this scenario; empty: no role any more.")
    contact = optional_text(max_length=300)


class ContingencyPlanWriteSerializer(serializers.Serializer):
    title = required_text(max_length=200)
    scenario = required_text()
    contacts = optional_text()
    last_reviewed_on = serializers.DateField(required=False, allow_null=True)
    roles = ContingencyPlanRoleInput(
        many=True, required=False, help_text="Each member organisation's role (given ones only)."
    )


class ContingencyPlanCreateSerializer(ContingencyPlanWriteSerializer):
    # A group the user does not see is no choice: a 400 naming the field, as for every body id.
    group = StrictPrimaryKeyRelatedField(queryset=CoordinationGroup.objects.none())

    def __init__(self, *args: object, groups: QuerySet | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:  # the schema generator builds it without a user
            self.fields["group"].queryset = groups


def _roles(data: dict) -> dict[int, tuple[str, str]] | None:
    if "roles" not in data:
        return None
    return {r["organisation"].pk: (r.get("role", ""), r.get("contact", "")) for r in data["roles"]}


class ContingencyPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Contingency plans of the user's groups, by title."""

    serializer_class = ContingencyPlanSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ContingencyPlan]:
        return (
            ContingencyPlan.objects.filter(group__in=permissions.groups_visible(self.request.user))
            .prefetch_related(
                Prefetch("roles", queryset=PlanRole.objects.order_by("organisation__name"))
            )
            .order_by("title", "id")
        )

    @extend_schema(
        request=ContingencyPlanCreateSerializer, responses={201: ContingencyPlanSerializer}
    )
    def create(self, request: Request) -> Response:
        """A coordinator writes a plan for the group."""
        body = ContingencyPlanCreateSerializer(
            data=request.data, groups=permissions.groups_visible(request.user)
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        roles = _roles(data)
        data.pop("roles", None)
        plan = services.plan_create(actor=request.user, roles=roles, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=plan.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=ContingencyPlanWriteSerializer, responses={200: ContingencyPlanSerializer}
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan_id = object_id(pk)
        if not self.get_queryset().filter(pk=plan_id).exists():
            raise NotVisible()  # before the body is read
        body = ContingencyPlanWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        roles = _roles(data)
        data.pop("roles", None)
        services.plan_update(plan_id=plan_id, actor=request.user, roles=roles, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=plan_id)).data)

    @extend_schema(
        request=None, responses={200: ContingencyPlanSerializer}, summary="Reviewed today"
    )
    @action(detail=True, methods=["post"])
    def reviewed(self, request: Request, pk: str | None = None) -> Response:
        plan_id = object_id(pk)
        services.plan_mark_reviewed(plan_id=plan_id, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=plan_id)).data)


class GroupPatchSerializer(serializers.Serializer):
    name = required_text(max_length=200, required=False)
    description = optional_text()
    time_zone = TimeZoneField(required=False)
    members = StrictPrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.active(), required=False
    )
