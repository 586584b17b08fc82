"""Forms of the mechanism's pages: terms of reference, pathways, joint action plans and reports.
They only read and shape input; the services decide (and answer 400, 403 or 404)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.widgets import DateInput
from coordination import indicators
from coordination.models import (
    ActionPlan,
    Activity,
    CoordinationGroup,
    Decision,
    Indicator,
    Objective,
    Pathway,
    TermsOfReference,
)
from coordination.services.action_plans import AGE_BANDS, SEXES
from organisations import names
from organisations.models import Organisation, Service

SEX_LABELS = {
    "female": _("Female"),
    "male": _("Male"),
    "other": _("Other"),
    "undisclosed": _("Not disclosed"),
}
AGE_LABELS = {
    "0-17": _("0–17 years"),
    "18-59": _("18–59 years"),
    "60+": _("60 years and over"),
    "unknown": _("Unknown"),
}
TERMS_TEXT = ("mandate", "scope", "decision_making", "meeting_frequency", "change_note")
EXTRA_STEPS = 2


class TermsForm(forms.ModelForm):
    """A version's text, with one commitment and focal point per member organisation."""

    class Meta:
        model = TermsOfReference
        fields = list(TERMS_TEXT)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("mandate", "scope", "decision_making", "change_note")
        }

    def __init__(self, *args: Any, group: CoordinationGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = list(group.members.order_by("name"))
        given = (
            {c.organisation_id: c for c in self.instance.commitments.all()}
            if (self.instance.pk)
            else {}
        )
        for organisation in self.organisations:
            row = given.get(organisation.pk)
            name = names.isolated(organisation.name)
            self.fields[f"commitment_{organisation.pk}"] = forms.CharField(
                label=_("What %(organisation)s brings") % {"organisation": name},
                required=False,
                initial=row.commitment if row else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"focal_{organisation.pk}"] = forms.CharField(
                label=_("Focal point at %(organisation)s") % {"organisation": name},
                required=False,
                max_length=200,
                initial=row.focal_point if row else "",
            )

    def commitment_rows(self) -> list[tuple[Organisation, Any, Any]]:
        return [(o, self[f"commitment_{o.pk}"], self[f"focal_{o.pk}"]) for o in self.organisations]

    def commitments(self) -> dict[int, tuple[str, str]]:
        return {
            o.pk: (
                self.cleaned_data.get(f"commitment_{o.pk}", ""),
                self.cleaned_data.get(f"focal_{o.pk}", ""),
            )
            for o in self.organisations
        }

    def text(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in TERMS_TEXT}


class AdoptForm(forms.Form):
    """The decision of one of the group's meetings that adopted a text."""

    decision = forms.ModelChoiceField(
        label=_("Adopted by the decision"), queryset=Decision.objects.none()
    )

    def __init__(self, *args: Any, group: CoordinationGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        # The last two years' decisions (not a slice: the chosen one is looked up in it).
        field.queryset = (
            Decision.objects.filter(
                occurrence__meeting__group=group,
                created_at__gte=timezone.now() - datetime.timedelta(days=731),
            )
            .select_related("occurrence__meeting")
            .order_by("-occurrence__original_start", "-id")
        )
        field.label_from_instance = (
            lambda d: "{} · {}".format(  # noqa: UP032 - lazy strings
                d.occurrence.original_start.date().isoformat(), d.text[:80]
            )
        )


class PathwayForm(forms.ModelForm):
    """A pathway with its steps: a title, guidance and the directory's services for each."""

    class Meta:
        model = Pathway
        fields = ["title", "category", "city", "area", "description", "is_published"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, group: CoordinationGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = group.members.filter(is_active=True)
        services = (
            Service.objects.filter(organisation__in=members, is_active=True)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        choices = [
            (s.pk, f"{s.organisation.name} · {s.name} ({s.get_category_display()})")
            for s in services
        ]
        steps = list(self.instance.steps.prefetch_related("services")) if self.instance.pk else []
        self.step_count = len(steps) + EXTRA_STEPS
        for index in range(self.step_count):
            step = steps[index] if index < len(steps) else None
            number = index + 1
            self.fields[f"step_{number}_title"] = forms.CharField(
                label=_("Step %(number)s") % {"number": number},
                required=False,
                max_length=200,
                initial=step.title if step else "",
            )
            self.fields[f"step_{number}_guidance"] = forms.CharField(
                label=_("Guidance"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=step.guidance if step else "",
            )
            self.fields[f"step_{number}_services"] = forms.TypedMultipleChoiceField(
                label=_("Services"),
                required=False,
                coerce=int,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                initial=[s.pk for s in step.services.all()] if step else [],
            )

    def step_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"step_{n}_title"], self[f"step_{n}_guidance"], self[f"step_{n}_services"])
            for n in range(1, self.step_count + 1)
        ]

    def steps(self) -> list[dict]:
        found = []
        for number in range(1, self.step_count + 1):
            title = self.cleaned_data.get(f"step_{number}_title", "").strip()
            if title:
                found.append(
                    {
                        "title": title,
                        "guidance": self.cleaned_data.get(f"step_{number}_guidance", ""),
                        "services": self.cleaned_data.get(f"step_{number}_services", []),
                    }
                )
        return found

    def text(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.Meta.fields}


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["title", "description", "start_on", "end_on", "reporting_days"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_on": DateInput(),
            "end_on": DateInput(),
        }


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["title", "description", "category"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


def _members(plan: ActionPlan) -> Any:
    return plan.group.members.filter(is_active=True).order_by("name")


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "objective",
            "title",
            "description",
            "lead_organisation",
            "partners",
            "area",
            "start_on",
            "end_on",
            "status",
            "funding_status",
            "funding_amount",
            "funding_currency",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "start_on": DateInput(),
            "end_on": DateInput(),
            "partners": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = plan.objectives.all()
        self.fields["lead_organisation"].queryset = _members(plan)
        self.fields["partners"].queryset = _members(plan)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["partners"] = list(data.get("partners") or [])
        return data


class IndicatorForm(forms.ModelForm):
    source = forms.ChoiceField(label=_("Measured by"), required=False)

    class Meta:
        model = Indicator
        fields = [
            "objective",
            "activity",
            "name",
            "unit",
            "baseline",
            "target",
            "frequency",
            "aggregation",
            "source",
            "category",
            "disaggregated",
        ]

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = plan.objectives.all()
        self.fields["activity"].queryset = plan.activities.select_related("lead_organisation")
        self.fields["source"].choices = [
            ("", _("Reported by the activity's lead organisation")),
            (_("Computed by the platform"), indicators.choices()),
        ]


class ReportForm(forms.Form):
    """A period's value, a note and an optional document; a breakdown by sex and age band when
    the indicator asks for one (it must add up to the value)."""

    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    document = forms.FileField(label=_("Document (optional)"), required=False)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cells: list[tuple[str, str, Any]] = []
        if indicator.disaggregated:
            for sex in SEXES:
                for band in AGE_BANDS:
                    name = f"n_{sex}_{band}"
                    self.fields[name] = forms.DecimalField(
                        label=f"{SEX_LABELS[sex]} · {AGE_LABELS[band]}",
                        required=False,
                        min_value=0,
                        max_digits=14,
                        decimal_places=2,
                    )
                    self.cells.append((sex, band, name))

    def breakdown(self) -> list[dict]:
        return [
            {"sex": sex, "age_band": band, "value": self.cleaned_data[name]}
            for sex, band, name in self.cells
            if self.cleaned_data.get(name) is not None
        ]

    def grid(self) -> list[tuple[str, list[Any]]]:
        """Rows of the breakdown table: a sex's label and its cells, one per age band."""
        if not self.cells:
            return []
        return [
            (str(SEX_LABELS[sex]), [self[f"n_{sex}_{band}"] for band in AGE_BANDS]) for sex in SEXES
        ]

    @staticmethod
    def age_bands() -> list[str]:
        return [str(AGE_LABELS[band]) for band in AGE_BANDS]
