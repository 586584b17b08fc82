from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import ServiceCategory, UnlistedOrganisation
from referrals.models import SHAREABLE_FIELDS, Case, ExternalOutcome
from referrals.selectors import unlisted_offered


class ExternalReferralForm(forms.Form):
    """A referral to an organisation not on the platform: one of the list, or a new one."""

    recipient = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=UnlistedOrganisation.objects.none(),
        required=False,
        empty_label=_("A new organisation (below)"),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=200,
        required=False,
        help_text=_("As map applications read them: Mo-Fr 08:30-16:30; PH off"),
        widget=forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false"}),
    )
    in_directory = forms.BooleanField(
        label=_("Save it in the directory, so that others can refer people to it too"),
        required=False,
    )
    service_category = forms.ChoiceField(label=_("Help needed"), choices=ServiceCategory.choices)
    reason = forms.CharField(
        label=_("Reason for referral"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the case; never printed on the slip."),
    )
    printed_fields = forms.MultipleChoiceField(
        label=_("The person agrees to have these printed on the slip they carry"),
        choices=list(SHAREABLE_FIELDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = unlisted_offered(case)
        self.fields["city"].initial = case.owner.city


class ExternalOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Did the person reach it?"),
        choices=ExternalOutcome.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
