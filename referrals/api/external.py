"""Referrals off the platform through the API, as on the web (``services.external``):
``/external-referrals/`` (the user's organisations' own, newest first; record one),
``/external-referrals/{id}/`` and ``/external-referrals/{id}/outcome/``; and
``/unlisted-organisations/``, those a caseworker may choose."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import object_id
from config.pagination import NewestFirst
from config.serializers import (
    ModelSerializer,
    OptionalEmailField,
    StrictBooleanField,
    StrictChoiceField,
    StrictPrimaryKeyRelatedField,
    optional_text,
)
from organisations.models import CASE_ROLES, ServiceCategory, UnlistedOrganisation
from organisations.selectors import memberships_of
from referrals import selectors, services
from referrals.exceptions import NotVisible
from referrals.models import SHAREABLE_FIELDS, Case, ExternalOutcome, ExternalReferral


class UnlistedOrganisationSerializer(ModelSerializer):
    class Meta:
        model = UnlistedOrganisation
        fields = ["id", "name", "category", "city", "address", "phone", "email", "opening_hours"]
        read_only_fields = fields


class ExternalReferralSerializer(ModelSerializer):
    recipient = UnlistedOrganisationSerializer(read_only=True)

    class Meta:
        model = ExternalReferral
        fields = [
            "id",
            "case",
            "from_organisation",
            "recipient",
            "service_category",
            "reason",
            "printed_fields",
            "state",
            "outcome",
            "outcome_note",
            "outcome_at",
            "created_at",
        ]
        read_only_fields = fields


class ExternalReferralCreateSerializer(serializers.Serializer):
    """One of ``/unlisted-organisations/`` as ``unlisted_organisation``, or a new one by
    ``name`` (and its contact; ``in_directory`` offers it to others)."""

    case = StrictPrimaryKeyRelatedField(queryset=Case.objects.none())
    unlisted_organisation = StrictPrimaryKeyRelatedField(
        queryset=UnlistedOrganisation.objects.none(), required=False, allow_null=True
    )
    service_category = StrictChoiceField(choices=ServiceCategory.choices, required=False)
    name = optional_text(max_length=200)
    city = optional_text(max_length=100)
    address = optional_text(max_length=300)
    phone = optional_text(max_length=50)
    email = OptionalEmailField(required=False, allow_null=True)
    opening_hours = optional_text(max_length=200)
    in_directory = StrictBooleanField(required=False)
    reason = optional_text()
    printed_fields = serializers.ListField(
        child=StrictChoiceField(choices=list(SHAREABLE_FIELDS)), required=False, max_length=20
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none while the schema is drawn
        if request is not None:
            own = [m.organisation_id for m in memberships_of(request.user)]
            self.fields["case"].queryset = selectors.case_list(user=request.user)
            self.fields["unlisted_organisation"].queryset = UnlistedOrganisation.objects.filter(
                Q(in_directory=True) | Q(recorded_by_id__in=own), merged_into__isnull=True
            )


class OutcomeSerializer(serializers.Serializer):
    outcome = StrictChoiceField(choices=ExternalOutcome.choices)
    note = optional_text()


class ExternalReferralViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals to organisations not on the platform, of the cases the user's organisations own
    (their caseworkers and supervisors only); nobody else sees them."""

    serializer_class = ExternalReferralSerializer
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[ExternalReferral]:
        mine = [
            m.organisation_id for m in memberships_of(self.request.user) if m.role in CASE_ROLES
        ]
        return ExternalReferral.objects.filter(
            from_organisation_id__in=mine, case__anonymised_at__isnull=True
        ).select_related("recipient")

    def get_object(self) -> ExternalReferral:
        found = selectors.external_referral_get(
            user=self.request.user, pk=object_id(self.kwargs["pk"])
        )
        if found is None:
            raise NotVisible()
        return found

    @extend_schema(request=ExternalReferralCreateSerializer, responses=ExternalReferralSerializer)
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        body = ExternalReferralCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["email"] = data.get("email") or ""
        data["recipient"] = data.pop("unlisted_organisation", None)
        referral = services.external_referral_create(actor=request.user, **data)
        return Response(ExternalReferralSerializer(referral).data, status=201)

    @extend_schema(request=OutcomeSerializer, responses=ExternalReferralSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str) -> Response:
        referral = self.get_object()
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.external_referral_report(
            referral_id=referral.pk, actor=request.user, **body.validated_data
        )
        return Response(ExternalReferralSerializer(referral).data)


class UnlistedOrganisationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Organisations not on the platform saved in the directory, which caseworkers may refer
    people to (none merged into a member: refer to the member)."""

    serializer_class = UnlistedOrganisationSerializer
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[UnlistedOrganisation]:
        mine = [m.organisation_id for m in memberships_of(self.request.user)]
        if not mine:
            return UnlistedOrganisation.objects.none()
        return UnlistedOrganisation.objects.filter(in_directory=True, merged_into__isnull=True)
