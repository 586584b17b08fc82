from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from config.filterforms import FixedFilterForm
from config.widgets import DateInput
from organisations.forms import LanguagesField
from organisations.models import Organisation, Service, ServiceCategory
from referrals import selectors
from referrals.models import (
    SHAREABLE_FIELDS,
    Case,
    DeclineReason,
    Outcome,
    Referral,
    State,
    Urgency,
    Vulnerability,
)
from referrals.services.common import OVERRIDE_FIELDS


class CaseForm(forms.ModelForm):
    languages = LanguagesField(
        label=_("Languages"), required=False, help_text=_("Hold Ctrl (or ⌘) to choose several.")
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Case
        fields = [
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
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "given_name": _("Optional. Record only what the person agrees to give."),
        }


class ConsentForm(forms.Form):
    recipient = forms.ModelChoiceField(label=_("Share with"), queryset=Organisation.objects.none())
    fields = forms.MultipleChoiceField(
        label=_("Fields the person agrees to share"),
        choices=[(name, label) for name, label in SHAREABLE_FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, case: Case, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = Organisation.objects.active().exclude(pk=case.owner_id)


class RecipientConsentForm(forms.Form):
    """The person's consent for the one recipient a page is about (the referral's)."""

    fields = forms.MultipleChoiceField(
        label=_("Fields the person agrees to share"),
        choices=[(name, label) for name, label in SHAREABLE_FIELDS.items()],
        widget=forms.CheckboxSelectMultiple,
    )


class _ConsentMarkedChoice(forms.ModelChoiceField):
    """Choices marked with whether the person's consent covers the organisation, so that the
    sender sees before sending what will be shared, and with whom."""

    covered: frozenset[int] = frozenset()

    def organisation_of(self, obj: object) -> Organisation:
        return obj  # type: ignore[return-value]

    def describe(self, obj: object) -> str:
        return str(obj)

    def label_from_instance(self, obj: object) -> str:
        label = self.describe(obj)
        if self.organisation_of(obj).pk in self.covered:
            return _("%(label)s · consent recorded") % {"label": label}
        return label


class ServiceChoiceField(_ConsentMarkedChoice):
    def organisation_of(self, obj: object) -> Organisation:
        return obj.organisation  # type: ignore[attr-defined]

    def describe(self, service: object) -> str:
        return (
            f"{service.organisation.name} — {service.name} "  # type: ignore[attr-defined]
            f"({service.get_category_display()}, "  # type: ignore[attr-defined]
            f"{service.get_capacity_status_display()})"  # type: ignore[attr-defined]
        )


class OrganisationChoiceField(_ConsentMarkedChoice):
    def describe(self, organisation: object) -> str:
        return organisation.name  # type: ignore[attr-defined]


class ReferralForm(forms.Form):
    """One recipient, chosen one way: a service of the directory, or an organisation and the
    kind of service asked of it. The radio says which; when only one way is filled in, that one
    is meant, whatever the radio says (without JavaScript both stay on screen)."""

    SERVICE = "service"
    ORGANISATION = "organisation"

    route = forms.ChoiceField(
        label=_("Refer to"),
        required=False,
        choices=[
            (SERVICE, _("A service from the directory")),
            (ORGANISATION, _("An organisation, for a kind of service")),
        ],
        initial=SERVICE,
        widget=forms.RadioSelect,
    )
    service = ServiceChoiceField(
        label=_("Service from the directory"),
        queryset=Service.objects.none(),
        required=False,
    )
    to_organisation = OrganisationChoiceField(
        label=_("Receiving organisation"), queryset=Organisation.objects.none(), required=False
    )
    service_category = forms.ChoiceField(
        label=_("Service requested"),
        choices=[("", "—"), *ServiceCategory.choices],
        required=False,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    reason = forms.CharField(
        label=_("Reason for referral"), widget=forms.Textarea(attrs={"rows": 4})
    )
    override_justification = forms.CharField(
        label=_("Emergency override: why must this be shared without consent?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_warnings = forms.BooleanField(
        label=_("I know: refer anyway"), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self, *args: object, case: Case, may_override: bool = False, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        covered = frozenset(case.consents.active().values_list("recipient_id", flat=True))
        self.fields["service"].queryset = (
            Service.objects.active()
            .exclude(organisation=case.owner_id)
            .select_related("organisation")
            .order_by("category", "organisation__name", "name")
        )
        self.fields["to_organisation"].queryset = Organisation.objects.active().exclude(
            pk=case.owner_id
        )
        self.fields["service"].covered = covered
        self.fields["to_organisation"].covered = covered
        if not may_override:
            del self.fields["override_justification"]
        else:
            self.fields["override_justification"].help_text = _(
                "Only in an emergency. Shared without consent: %(fields)s. The justification is "
                "recorded and shown on the referral."
            ) % {"fields": ", ".join(str(SHAREABLE_FIELDS[name]) for name in OVERRIDE_FIELDS)}

    def clean(self) -> dict:
        data = super().clean()
        service = data.get("service")
        by_organisation = bool(data.get("to_organisation") or data.get("service_category"))
        route = data.get("route") or self.SERVICE
        if service is None and by_organisation:
            route = self.ORGANISATION
        elif service is not None and not by_organisation:
            route = self.SERVICE
        data["route"] = route
        if route == self.SERVICE:
            if service is None:
                self.add_error("service", _("Choose a service, or an organisation and a category."))
            else:
                data["to_organisation"] = service.organisation
                data["service_category"] = service.category
        else:
            data["service"] = None
            if not data.get("to_organisation"):
                self.add_error("to_organisation", _("Choose the receiving organisation."))
            if not data.get("service_category"):
                self.add_error("service_category", _("Choose the service requested."))
        return data


class SubmitForm(forms.Form):
    override_justification = forms.CharField(
        label=_("Emergency override: why must this be shared without consent?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=get_user_model().objects.none(), required=False
    )
    comment = forms.CharField(
        label=_("Note to the sender (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: object, organisation: Organisation | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["assignee"].queryset = selectors.assignable_staff(organisation)
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username


class AssignForm(AcceptForm):
    pass


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))
    suggested_organisation = forms.ModelChoiceField(
        label=_("Suggest another organisation"),
        queryset=Organisation.objects.active(),
        required=False,
    )

    def __init__(self, *args: object, referral: Referral | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if referral is not None:  # a third organisation: neither the receiver nor the sender
            self.fields["suggested_organisation"].queryset = (
                Organisation.objects.active()
                .exclude(pk__in=(referral.from_organisation_id, referral.to_organisation_id))
                .order_by("name")
            )


class HoldForm(forms.Form):
    expected_date = forms.DateField(label=_("Expected date"), widget=DateInput())
    comment = forms.CharField(
        label=_("Note to the sender (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Add a note to the timeline"), widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferralFilterForm(FixedFilterForm):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any state")), *State.choices], required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", _("Any urgency")), *Urgency.choices], required=False
    )
    category = forms.ChoiceField(
        label=_("Service"),
        choices=[("", _("Any service")), *ServiceCategory.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        choices=[("", _("Anyone or nobody")), ("me", _("To me")), ("none", _("To nobody"))],
        required=False,
    )


class CaseSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class ReferenceLookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=20,
        help_text=_("The reference the person was given, for example C-7K2M9QXA."),
    )


class ErasureForm(forms.Form):
    """Erasure cannot be undone: the person in charge types the reference to confirm it."""

    confirm = forms.CharField(
        label=_("Type the case reference to confirm"),
        max_length=20,
    )
