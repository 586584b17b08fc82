from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.serializers import (
    ModelSerializer,
    QuerySerializer,
    StrictBooleanField,
    StrictChoiceField,
    StrictIntegerField,
    optional_text,
    required_text,
)
from organisations.models import (
    Membership,
    Organisation,
    Partnership,
    Role,
    Service,
    ServiceCategory,
)
from organisations.services import ORGANISATION_PROFILE_FIELDS, SERVICE_FIELDS


class ServiceSerializer(ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "name",
            "category",
            "description",
            "eligibility",
            "languages",
            "city",
            "area_served",
            "opening_hours",
            "what_to_bring",
            "capacity_status",
            "capacity_confirmed_at",
        ]
        read_only_fields = fields


class OrganisationSerializer(ModelSerializer):
    is_trusted = StrictBooleanField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "city",
            "description",
            "address",
            "postal_code",
            "region",
            "phone",
            "email",
            "website",
            "is_verified",
            "is_trusted",
        ]
        read_only_fields = fields


class OrganisationListSerializer(OrganisationSerializer):
    service_count = StrictIntegerField(read_only=True)

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "service_count"]
        read_only_fields = fields


class PartnershipSerializer(ModelSerializer):
    in_force = StrictBooleanField(source="is_in_force", read_only=True)
    document = serializers.SerializerMethodField(
        help_text="Where signed-in users download the signed agreement (null: none)."
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "municipality",
            "organisation",
            "starts_on",
            "ends_on",
            "scope",
            "in_force",
            "document",
        ]
        read_only_fields = fields

    def get_document(self, partnership: Partnership) -> str | None:
        if not partnership.document:
            return None
        return reverse("partnership-document", args=[partnership.pk])


class OrganisationDetailSerializer(OrganisationSerializer):
    services = ServiceSerializer(many=True, read_only=True)
    partnerships = serializers.SerializerMethodField(
        help_text="Formal agreements with a municipality, as either party, newest first."
    )

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "services", "partnerships"]
        read_only_fields = fields

    @extend_schema_field(PartnershipSerializer(many=True))
    def get_partnerships(self, organisation: Organisation) -> list[dict]:
        rows = [*organisation.partnerships.all(), *organisation.partnerships_as_municipality.all()]
        rows.sort(key=lambda p: (p.starts_on, p.pk), reverse=True)
        return PartnershipSerializer(rows, many=True).data


# An organisation admin's writes ------------------------------------------------------------------


class OrganisationProfileSerializer(ModelSerializer):
    """The public profile an organisation admin edits (not verification, not the active flag)."""

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_PROFILE_FIELDS)


class _ServiceWriteSerializer(ModelSerializer):
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$", max_length=12),
        required=False,
        max_length=50,
        help_text="ISO 639 language codes, e.g. ar, fr, en.",
    )


class ServiceCreateSerializer(_ServiceWriteSerializer):
    class Meta:
        model = Service
        fields = ["organisation", *SERVICE_FIELDS]
        extra_kwargs = {
            "organisation": {"queryset": Organisation.objects.active()},
            "city": {"required": False, "help_text": "By default the organisation's city."},
        }


class ServicePatchSerializer(_ServiceWriteSerializer):
    """Any field of the service; ``capacity_status`` alone confirms the capacity as of now, and
    ``is_active: false`` takes the service out of the directory."""

    class Meta:
        model = Service
        fields = [*SERVICE_FIELDS, "is_active"]


class MemberUserSerializer(serializers.Serializer):
    id = StrictIntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField(allow_blank=True)


class MembershipSerializer(ModelSerializer):
    user = MemberUserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "is_active", "intake", "created_at"]
        read_only_fields = fields


class MemberInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = StrictChoiceField(choices=Role.choices)
    first_name = optional_text(max_length=150)
    last_name = optional_text(max_length=150)


class MembershipPatchSerializer(serializers.Serializer):
    role = StrictChoiceField(choices=Role.choices, required=False)
    is_active = StrictBooleanField(
        required=False, help_text="false: the member loses access at once; true: back again."
    )
    intake = StrictBooleanField(
        required=False,
        help_text=(
            "true: told at once of every referral that arrives (caseworkers and supervisors "
            "only). With an intake team, the other members get a daily summary instead."
        ),
    )


# Who does what where --------------------------------------------------------------------------


class MatrixQuerySerializer(QuerySerializer):
    city = required_text(max_length=100)
    area = optional_text(max_length=100, help_text="A district: only services serving it.")


class MatrixRowSerializer(serializers.Serializer):
    category = StrictChoiceField(choices=ServiceCategory.choices)
    label = serializers.CharField(help_text="In the reader's language.")
    providers = serializers.ListField(
        child=StrictIntegerField(), help_text="The organisations offering it there."
    )
    services = serializers.ListField(child=StrictIntegerField())
    is_gap = StrictBooleanField(help_text="Nobody offers it there.")
    is_overlap = StrictBooleanField(help_text="Two organisations or more offer it there.")


class MatrixSerializer(serializers.Serializer):
    city = serializers.CharField()
    area = serializers.CharField()
    organisations = OrganisationSerializer(many=True)
    rows = MatrixRowSerializer(many=True)


def matrix_data(matrix: object) -> dict:
    return {
        "city": matrix.city,
        "area": matrix.area,
        "organisations": matrix.organisations,
        "rows": [
            {
                "category": row.category,
                "label": row.label,
                "providers": [
                    organisation.pk
                    for organisation, cell in zip(matrix.organisations, row.cells, strict=True)
                    if cell
                ],
                "services": [service.pk for cell in row.cells for service in cell],
                "is_gap": row.is_gap,
                "is_overlap": row.is_overlap,
            }
            for row in matrix.rows
        ],
    }
