"""Referral pathways and terms of reference through the API. Members of the group read;
coordinators write and record the adopting decision; each member organisation's supervisors
and admins endorse the adopted terms. Anyone else: 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import object_id
from config.serializers import (
    ModelSerializer,
    QuerySerializer,
    StrictBooleanField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    WholeItem,
    optional_text,
    required_text,
)
from coordination import permissions, selectors, services
from coordination.exceptions import NotVisible
from coordination.models import (
    Commitment,
    CoordinationGroup,
    Decision,
    Endorsement,
    Pathway,
    PathwayStep,
    TermsOfReference,
)
from organisations.models import Organisation, Service, ServiceCategory

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# Pathways ---------------------------------------------------------------------------------------


class PathwayServiceSerializer(ModelSerializer):
    """A step's service as the directory has it now: a change to the service shows at once."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    address = serializers.CharField(source="organisation.address", read_only=True)
    phone = serializers.CharField(source="organisation.phone", read_only=True)
    email = serializers.CharField(source="organisation.email", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "organisation",
            "organisation_name",
            "category",
            "city",
            "area_served",
            "opening_hours",
            "languages",
            "capacity_status",
            "capacity_confirmed_at",
            "address",
            "phone",
            "email",
        ]
        read_only_fields = fields


class PathwayStepSerializer(ModelSerializer):
    services = PathwayServiceSerializer(many=True, read_only=True)

    class Meta:
        model = PathwayStep
        fields = ["id", "position", "title", "guidance", "services"]
        read_only_fields = fields


class PathwaySerializer(ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    steps = PathwayStepSerializer(many=True, read_only=True)

    class Meta:
        model = Pathway
        fields = [
            "id",
            "group",
            "group_name",
            "category",
            "city",
            "area",
            "title",
            "description",
            "adopted_by",
            "adopted_at",
            "is_published",
            "steps",
            "updated_at",
        ]
        read_only_fields = fields


class StepInput(WholeItem):
    title = required_text(max_length=200)
    guidance = optional_text()
    services = StrictPrimaryKeyRelatedField(
        queryset=Service.objects.filter(is_active=True), many=True, required=False
    )


class PathwayWriteSerializer(serializers.Serializer):
    category = StrictChoiceField(choices=ServiceCategory.choices)
    city = required_text(max_length=100)
    area = optional_text(max_length=200)
    title = required_text(max_length=200)
    description = optional_text()
    is_published = StrictBooleanField(
        required=False, help_text="Shown to the public once adopted (its public services only)."
    )
    steps = StepInput(many=True, required=False, help_text="Replaces every step when given.")


class PathwayCreateSerializer(PathwayWriteSerializer):
    group = StrictPrimaryKeyRelatedField(queryset=CoordinationGroup.objects.none())

    def __init__(self, *args: Any, groups: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups


class PathwayFilterSerializer(QuerySerializer):
    category = StrictChoiceField(choices=ServiceCategory.choices, required=False)
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    group = StrictIntegerField(required=False, min_value=1)


class AdoptSerializer(serializers.Serializer):
    decision = StrictPrimaryKeyRelatedField(
        queryset=Decision.objects.all(), help_text="A decision of one of the group's meetings."
    )


class PathwayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referral pathways of the user's groups, by category and city."""

    serializer_class = PathwaySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Pathway]:
        return (
            selectors.pathway_rows()
            .filter(group__in=permissions.groups_visible(self.request.user))
            .order_by("category", "city", "area", "id")
        )

    @extend_schema(parameters=[PathwayFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = PathwayFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        options = filters.validated_data
        pathways = self.get_queryset()
        if options.get("category"):
            pathways = pathways.filter(category=options["category"])
        if options.get("city"):
            pathways = pathways.filter(city__iexact=options["city"].strip())
        if "group" in options:
            pathways = pathways.filter(group_id=options["group"])
        page = self.paginate_queryset(pathways)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=PathwayCreateSerializer, responses={201: PathwaySerializer})
    def create(self, request: Request) -> Response:
        """A coordinator writes a pathway: the steps and the directory's services for each."""
        body = PathwayCreateSerializer(
            data=request.data, groups=permissions.groups_visible(request.user)
        )
        body.is_valid(raise_exception=True)
        pathway = services.pathway_create(actor=request.user, **body.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=pathway.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PathwayWriteSerializer, responses={200: PathwaySerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        pathway_id = object_id(pk)
        if not self.get_queryset().filter(pk=pathway_id).exists():
            raise NotVisible()
        body = PathwayWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.pathway_update(actor=request.user, pathway_id=pathway_id, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=pathway_id)).data)

    @extend_schema(request=AdoptSerializer, responses={200: PathwaySerializer})
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: str | None = None) -> Response:
        """A coordinator records the meeting decision that adopted the pathway."""
        pathway_id = object_id(pk)
        if not self.get_queryset().filter(pk=pathway_id).exists():
            raise NotVisible()
        body = AdoptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.pathway_adopt(
            actor=request.user, pathway_id=pathway_id, decision=body.validated_data["decision"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=pathway_id)).data)


# Terms of reference -----------------------------------------------------------------------------


class CommitmentSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Commitment
        fields = ["organisation", "organisation_name", "commitment", "focal_point"]
        read_only_fields = fields


class EndorsementSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    endorsed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Endorsement
        fields = ["organisation", "organisation_name", "endorsed_by_name", "endorsed_at"]
        read_only_fields = fields

    def get_endorsed_by_name(self, endorsement: Endorsement) -> str | None:
        user = endorsement.endorsed_by
        return (user.get_full_name() or user.username) if user else None


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TermsSerializer(ModelSerializer):
    commitments = CommitmentSerializer(many=True, read_only=True)
    endorsements = EndorsementSerializer(many=True, read_only=True)
    not_endorsed = serializers.SerializerMethodField()
    is_adopted = serializers.BooleanField(read_only=True)

    class Meta:
        model = TermsOfReference
        fields = [
            "id",
            "group",
            "version",
            "mandate",
            "scope",
            "decision_making",
            "meeting_frequency",
            "change_note",
            "is_adopted",
            "adopted_by",
            "adopted_at",
            "commitments",
            "endorsements",
            "not_endorsed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(MemberSerializer(many=True))
    def get_not_endorsed(self, terms: TermsOfReference) -> list[dict]:
        """Member organisations that have not endorsed this version (empty for a draft)."""
        if not terms.is_adopted:
            return []
        done = {e.organisation_id for e in terms.endorsements.all()}
        return [{"id": o.pk, "name": o.name} for o in terms.group.members.all() if o.pk not in done]


class CommitmentInput(WholeItem):
    organisation = StrictPrimaryKeyRelatedField(queryset=Organisation.objects.active())
    commitment = optional_text(help_text="What it brings; empty: no commitment.")
    focal_point = optional_text(max_length=200)


class TermsWriteSerializer(serializers.Serializer):
    mandate = required_text()
    scope = optional_text()
    decision_making = optional_text()
    meeting_frequency = optional_text(max_length=200)
    change_note = optional_text()
    commitments = CommitmentInput(
        many=True, required=False, help_text="Each member organisation's commitment."
    )


class TermsCreateSerializer(TermsWriteSerializer):
    group = StrictPrimaryKeyRelatedField(queryset=CoordinationGroup.objects.none())

    def __init__(self, *args: Any, groups: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups


class TermsFilterSerializer(QuerySerializer):
    group = StrictIntegerField(required=False, min_value=1)


class EndorseSerializer(serializers.Serializer):
    organisation = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(),
        help_text="The member organisation you endorse for (you are its supervisor or admin).",
    )


def _commitments(data: dict) -> dict[int, tuple[str, str]] | None:
    if "commitments" not in data:
        return None
    given = data.pop("commitments")
    return {
        row["organisation"].pk: (row.get("commitment", ""), row.get("focal_point", ""))
        for row in given
    }


def adopted_terms(user: User, group_id: int) -> TermsOfReference | None:
    """The group's adopted version: the latest adopted one."""
    return (
        selectors.terms_visible(user)
        .filter(group_id=group_id, adopted_at__isnull=False)
        .order_by("-version")
        .first()
    )


class TermsViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every version of the terms of reference of the user's groups, newest first."""

    serializer_class = TermsSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[TermsOfReference]:
        return selectors.terms_visible(self.request.user).order_by("group", "-version")

    @extend_schema(parameters=[TermsFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = TermsFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        terms = self.get_queryset()
        if "group" in filters.validated_data:
            terms = terms.filter(group_id=filters.validated_data["group"])
        page = self.paginate_queryset(terms)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=TermsCreateSerializer, responses={201: TermsSerializer})
    def create(self, request: Request) -> Response:
        """A coordinator writes a new version (a draft until a decision adopts it)."""
        body = TermsCreateSerializer(
            data=request.data, groups=permissions.groups_visible(request.user)
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        commitments = _commitments(data)
        terms = services.terms_create(actor=request.user, commitments=commitments, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=terms.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=TermsWriteSerializer, responses={200: TermsSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """A draft changes; an adopted version does not (409): write a new one."""
        terms_id = object_id(pk)
        if not self.get_queryset().filter(pk=terms_id).exists():
            raise NotVisible()
        body = TermsWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        commitments = _commitments(data)
        services.terms_update(
            actor=request.user, terms_id=terms_id, commitments=commitments, **data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=terms_id)).data)

    @extend_schema(request=AdoptSerializer, responses={200: TermsSerializer})
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: str | None = None) -> Response:
        """A coordinator records the meeting decision that adopted this version."""
        terms_id = object_id(pk)
        if not self.get_queryset().filter(pk=terms_id).exists():
            raise NotVisible()
        body = AdoptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.terms_adopt(
            actor=request.user, terms_id=terms_id, decision=body.validated_data["decision"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=terms_id)).data)

    @extend_schema(request=EndorseSerializer, responses={200: TermsSerializer})
    @action(detail=True, methods=["post"])
    def endorse(self, request: Request, pk: str | None = None) -> Response:
        """A member organisation's supervisor or admin endorses the adopted version for it."""
        terms_id = object_id(pk)
        if not self.get_queryset().filter(pk=terms_id).exists():
            raise NotVisible()
        body = EndorseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.terms_endorse(
            actor=request.user,
            terms_id=terms_id,
            organisation=body.validated_data["organisation"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=terms_id)).data)
