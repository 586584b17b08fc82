from rest_framework import serializers

from config.serializers import ModelSerializer
from organisations.models import Organisation, Service


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
            "capacity_status",
            "capacity_confirmed_at",
        ]
        read_only_fields = fields


class OrganisationSerializer(ModelSerializer):
    is_trusted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "city",
            "description",
            "address",
            "phone",
            "email",
            "website",
            "is_verified",
            "is_trusted",
        ]
        read_only_fields = fields


class OrganisationListSerializer(OrganisationSerializer):
    service_count = serializers.IntegerField(read_only=True)

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "service_count"]
        read_only_fields = fields


class OrganisationDetailSerializer(OrganisationSerializer):
    services = ServiceSerializer(many=True, read_only=True)

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "services"]
        read_only_fields = fields
