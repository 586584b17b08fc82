from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import (
    CapacityStatus,
    Organisation,
    OrganisationKind,
    Role,
    Service,
    ServiceCategory,
)


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
        fields = ["name", "kind", "city", "description", "address", "phone", "email", "website"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class LanguagesField(forms.CharField):
    """Language codes typed as "ar, fr, en", kept as a list."""

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: object) -> list[str]:
        text = super().to_python(value) or ""
        codes = [code.strip().lower() for code in text.split(",") if code.strip()]
        for code in codes:
            if not code.replace("-", "").isalpha() or len(code) > 10:
                raise forms.ValidationError(_("Use language codes such as ar, fr, en."))
        return list(dict.fromkeys(codes))


class ServiceForm(forms.ModelForm):
    languages = LanguagesField(
        label=_("Languages"), required=False, help_text=_("Language codes, e.g. ar, fr, en.")
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
            "capacity_status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 2}),
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


class SwitchOrganisationForm(forms.Form):
    organisation = forms.IntegerField()
    next = forms.CharField(required=False)
