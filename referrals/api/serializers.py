from __future__ import annotations

import datetime

from rest_framework import serializers

from config.representation import FastRepresentation
from config.serializers import (
    ModelSerializer,
    QueryBooleanField,
    QuerySerializer,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    optional_text,
    required_text,
)
from organisations.models import Organisation, Service, ServiceCategory
from referrals.models import (
    SHAREABLE_FIELDS,
    AgeBand,
    Case,
    Consent,
    Referral,
    ReferralEvent,
    Sex,
    State,
    Urgency,
    Vulnerability,
)


class ConsentSerializer(ModelSerializer):
    fields = serializers.ListField(
        child=StrictChoiceField(choices=list(SHAREABLE_FIELDS)),
        allow_empty=False,
        min_length=1,
    )
    recipient = StrictPrimaryKeyRelatedField(queryset=Organisation.objects.active())
    is_active = StrictBooleanField(read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "recipient", "fields", "given_at", "withdrawn_at", "is_active"]
        read_only_fields = ["id", "given_at", "withdrawn_at", "is_active"]


class CaseSerializer(ModelSerializer):
    """The owner's full view of a case."""

    organisation = StrictPrimaryKeyRelatedField(
        source="owner",
        queryset=Organisation.objects.active(),
        required=False,
        help_text="The owner organisation; defaults to your only case-handling organisation.",
    )
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"), required=False
    )
    vulnerabilities = serializers.ListField(
        child=StrictChoiceField(choices=Vulnerability.choices), required=False
    )
    age_band = StrictChoiceField(choices=AgeBand.choices, required=False)
    sex = StrictChoiceField(choices=Sex.choices, required=False)
    nationality = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=(
            "ISO 3166-1 alpha-2 code (answered as a code). A country's name in English, French "
            "or Arabic, or an alpha-3 code, is accepted and converted; any other text is kept in "
            "nationality_other."
        ),
    )
    consents = ConsentSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "organisation",
            "given_name",
            "age_band",
            "birth_year",
            "sex",
            "nationality",
            "nationality_other",
            "languages",
            "vulnerabilities",
            "phone",
            "notes",
            "consents",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "reference", "created_at", "updated_at", "consents"]
        # The range in the schema; the model's ``validate_birth_year`` checks this year on the day.
        extra_kwargs = {
            "birth_year": {"min_value": 1900, "max_value": datetime.date.today().year}  # noqa: DTZ011
        }

    def to_representation(self, instance: Case) -> dict:
        data = super().to_representation(instance)
        data["nationality"] = instance.nationality.code or ""
        return data


# Free text can name and locate a person: shown only with the personal data it belongs to.
FREE_TEXT_FIELDS = (
    "reason",
    "override_justification",
    "outcome_note",
    "decline_note",
    "withdraw_reason",
    "moderation_note",
)


class ReferralSerializer(FastRepresentation, ModelSerializer):
    """A referral as its reader may see it: the receiver never gets the case, only the snapshot
    of consented fields (and only while it keeps access to them)."""

    case = serializers.SerializerMethodField()
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    from_organisation_name = serializers.CharField(source="from_organisation.name", read_only=True)
    to_organisation_name = serializers.CharField(source="to_organisation.name", read_only=True)
    shared_data = serializers.SerializerMethodField()
    is_overdue = StrictBooleanField(read_only=True)
    consent_overridden = serializers.SerializerMethodField()
    # Free text follows the personal data: null for a reader who may not read it.
    reason = serializers.CharField(read_only=True, allow_null=True)
    override_justification = serializers.CharField(read_only=True, allow_null=True)
    outcome_note = serializers.CharField(read_only=True, allow_null=True)
    decline_note = serializers.CharField(read_only=True, allow_null=True)
    withdraw_reason = serializers.CharField(read_only=True, allow_null=True)
    moderation_note = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_reference",
            "from_organisation",
            "from_organisation_name",
            "to_organisation",
            "to_organisation_name",
            "service_category",
            "service",
            "urgency",
            "reason",
            "state",
            "shared_data",
            "consent_overridden",
            "override_justification",
            "assignee",
            "submitted_at",
            "due_at",
            "is_overdue",
            "acknowledged_at",
            "answered_at",
            "closed_at",
            "outcome",
            "outcome_note",
            "decline_reason",
            "decline_note",
            "suggested_organisation",
            "expected_date",
            "withdraw_reason",
            "moderation_note",
            "parent",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, referral: Referral) -> dict:
        data = super().to_representation(referral)
        if referral.pk not in self.context.get("shared_ids", set()):
            for name in FREE_TEXT_FIELDS:
                data[name] = None
        return data

    def get_case(self, referral: Referral) -> int | None:
        sender_ids = self.context.get("sender_ids", set())
        return referral.case_id if referral.pk in sender_ids else None

    def get_shared_data(self, referral: Referral) -> dict | None:
        return (
            referral.shared_data if referral.pk in self.context.get("shared_ids", set()) else None
        )

    def get_consent_overridden(self, referral: Referral) -> bool:
        return bool(referral.override_justification)


class WarningSerializer(serializers.Serializer):
    """Something the person should know before going on; the request still succeeded."""

    code = StrictChoiceField(
        choices=[
            ("duplicate", "The case already has an open referral for this service."),
            ("service_full", "The target service says it is full."),
        ]
    )
    message = serializers.CharField(help_text="In the reader's language.")
    referral = StrictIntegerField(
        required=False, help_text="For a duplicate: the open referral it repeats."
    )


class ReferralCreatedSerializer(ReferralSerializer):
    """The new draft, and what the sender should know about it."""

    warnings = WarningSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    case = StrictPrimaryKeyRelatedField(queryset=Case.objects.none())
    to_organisation = StrictPrimaryKeyRelatedField(queryset=Organisation.objects.active())
    service_category = StrictChoiceField(choices=ServiceCategory.choices)
    service = StrictPrimaryKeyRelatedField(
        queryset=Service.objects.active(), required=False, allow_null=True
    )
    urgency = StrictChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    reason = required_text(max_length=5000)

    def __init__(self, *args: object, cases=None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if cases is not None:
            self.fields["case"].queryset = cases


class ReferralPatchSerializer(serializers.Serializer):
    to_organisation = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(), required=False
    )
    service_category = StrictChoiceField(choices=ServiceCategory.choices, required=False)
    service = StrictPrimaryKeyRelatedField(
        queryset=Service.objects.active(), required=False, allow_null=True
    )
    urgency = StrictChoiceField(choices=Urgency.choices, required=False)
    reason = required_text(max_length=5000, required=False)


class ReferralEventSerializer(ModelSerializer):
    actor = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(
        help_text="The comment or note; null for a reader who may not read free text."
    )
    actor_organisation = serializers.CharField(
        source="actor_organisation.name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = ReferralEvent
        fields = [
            "id",
            "name",
            "actor",
            "actor_organisation",
            "from_state",
            "to_state",
            "text",
            "created_at",
        ]
        read_only_fields = fields

    def get_text(self, event: ReferralEvent) -> str | None:
        return event.text if self.context.get("free_text") else None

    def get_actor(self, event: ReferralEvent) -> str | None:
        if event.actor is None:
            return None
        return event.actor.get_full_name() or event.actor.username


class ReferralFilterSerializer(QuerySerializer):
    """Query parameters of the referral list: a bad value is a 400 with the field named."""

    box = StrictChoiceField(choices=["inbox", "outbox", "moderation"], required=False)
    state = StrictChoiceField(choices=State.choices, required=False)
    urgency = StrictChoiceField(choices=Urgency.choices, required=False)
    category = StrictChoiceField(choices=ServiceCategory.choices, required=False)
    overdue = QueryBooleanField()
    assigned = StrictChoiceField(
        choices=[("me", "me"), ("none", "none")],
        required=False,
        help_text="me: assigned to you; none: in care and assigned to nobody",
    )
    organisation = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="One of your organisations (by default the one you work for now); another "
        "organisation's id lists nothing.",
    )


# A person's requests (``referrals.privacy``) ---------------------------------------------------


class _AccessEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    channel = serializers.CharField()
    referral = StrictIntegerField(allow_null=True)


class SubjectAccessSerializer(serializers.Serializer):
    """Everything held about the person of one case, and who read it (for the schema)."""

    generated_at = serializers.DateTimeField()
    generated_by = serializers.CharField()
    organisation = serializers.CharField()
    case = serializers.DictField(help_text="The case record, every field.")
    consents = serializers.ListField(child=serializers.DictField())
    referrals = serializers.ListField(
        child=serializers.DictField(),
        help_text="Every referral with what was shared, the free text and its timeline.",
    )
    access_log = _AccessEntrySerializer(many=True)


class ErasureRequestSerializer(serializers.Serializer):
    reference = StrictCharField(
        max_length=20, help_text="The case's current reference, to confirm which record goes."
    )


class ErasureSerializer(serializers.Serializer):
    id = StrictIntegerField()
    reference = serializers.CharField(help_text="A new reference: the old one matches nothing.")
    anonymised_at = serializers.DateTimeField()
    withdrawn_referrals = serializers.ListField(child=StrictIntegerField())


class CaseFilterSerializer(QuerySerializer):
    search = optional_text(max_length=100, help_text="Part of the reference or the given name.")
    organisation = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="One of your organisations; another organisation's id lists nothing.",
    )


class ReferenceQuerySerializer(QuerySerializer):
    reference = required_text(max_length=20, help_text="The reference the person holds.")


class CaseReferenceSerializer(serializers.Serializer):
    id = StrictIntegerField()
    reference = serializers.CharField()
