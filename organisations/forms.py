from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations import names
from organisations.exceptions import ValidationFailed
from organisations.models import (
    CapacityStatus,
    Organisation,
    OrganisationKind,
    Role,
    Service,
    ServiceCategory,
)
from organisations.names import language_name
from organisations.selectors import service_languages
from organisations.services import clean_language_codes


def _blank(choices: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(OrganisationKind.choices, _("Any kind"))
    )
    city = forms.CharField(
        label=_("City"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "cities"}),
    )
    category = forms.ChoiceField(
        label=_("Service"),
        required=False,
        choices=_blank(ServiceCategory.choices, _("Any service")),
    )
    capacity = forms.ChoiceField(
        label=_("Capacity"),
        required=False,
        choices=_blank(CapacityStatus.choices, _("Any capacity")),
    )
    language = forms.ChoiceField(label=_("Language spoken"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        named = sorted(
            ((code, language_name(code)) for code in service_languages()),
            key=lambda pair: pair[1].casefold(),
        )
        self.fields["language"].choices = _blank(named, _("Any language"))


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=_blank(ServiceCategory.choices, _("Any category")),
    )
    city = forms.CharField(
        label=_("City"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "cities"}),
    )
    capacity = forms.ChoiceField(
        label=_("Capacity"),
        required=False,
        choices=_blank(CapacityStatus.choices, _("Any capacity")),
    )


class MatrixForm(forms.Form):
    city = forms.CharField(label=_("City"), max_length=100)
    area = forms.CharField(label=_("District"), required=False, max_length=100)


class OrganisationProfileForm(forms.ModelForm):
    # Explicit scheme: Django 5.x warns that the default for scheme-less input changes in 6.0.
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Organisation
        fields = [
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
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class LanguagesField(forms.MultipleChoiceField):
    """Languages chosen by their names in the reader's language, kept as ISO 639 codes. A code
    the list does not hold (kept from earlier, or sent as "ar, fr" text) is accepted when well
    formed: the service's rule decides."""

    widget = forms.SelectMultiple(attrs={"size": 6})

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("choices", names.language_choices)
        super().__init__(**kwargs)

    def to_python(self, value: object) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):  # "ar, fr" typed in one field reads as two codes
            value = [part for item in value for part in str(item).split(",")]
        try:  # the service's rule, checked here too so that the form shows it on the field
            return clean_language_codes(list(super().to_python(value)))
        except ValidationFailed as error:
            raise forms.ValidationError(str(error.message)) from None

    def valid_value(self, value: str) -> bool:
        return True  # any well-formed code (to_python checked it)


class ServiceForm(forms.ModelForm):
    languages = LanguagesField(
        label=_("Languages"),
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )

    class Meta:
        model = Service
        fields = [
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
            "is_public",
            "location_confidential",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
            "what_to_bring": forms.Textarea(attrs={"rows": 2}),
            "opening_hours": forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
        }


class CapacityForm(forms.Form):
    capacity_status = forms.ChoiceField(choices=CapacityStatus.choices)


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CASEWORKER)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MembershipIntakeForm(forms.Form):
    intake = forms.BooleanField(label=_("On the intake team"), required=False)


class SwitchOrganisationForm(forms.Form):
    organisation = forms.IntegerField()
    next = forms.CharField(required=False)
