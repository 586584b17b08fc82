"""The filters of the statistics and profile pages (the API reads the same names)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import ServiceCategory
from referrals.insight.scope import Scope

MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_month(value: str) -> datetime.date:
    """ "2026-03" or "2026-03-17" → the first of that month (days are dropped: whole months)."""
    match = MONTH.match(value.strip())
    if not match:
        raise ValueError(value)
    year, month = int(match.group(1)), int(match.group(2))
    if match.group(3):
        datetime.date(year, month, int(match.group(3)))  # a real day, or ValueError
    if not 1900 <= year <= 9998:
        raise ValueError(value)
    return datetime.date(year, month, 1)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def to_python(self, value: object) -> datetime.date | None:
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > 10:
            raise forms.ValidationError(
                _("Enter a month as YYYY-MM, e.g. 2026-03."), code="invalid"
            )
        try:
            return parse_month(text)
        except ValueError:
            raise forms.ValidationError(
                _("Enter a month as YYYY-MM, e.g. 2026-03."), code="invalid"
            ) from None


class InsightFilterForm(forms.Form):
    scope = forms.ChoiceField(label=_("Figures of"), required=False)
    start = MonthField(label=_("From (month)"), required=False)
    end = MonthField(label=_("To (month)"), required=False)
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    category = forms.ChoiceField(
        label=_("Service"),
        choices=[("", _("Any service")), *ServiceCategory.choices],
        required=False,
    )
    # The cities' names as the organisations wrote them: no words to translate.
    city = forms.ChoiceField(
        label=_("City"), required=False, widget=forms.Select(attrs={"translate": "no"})
    )

    def __init__(self, *args: object, scope: Scope, with_category: bool = True, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(c.value, c.name) for c in scope.choices]
        self.fields["scope"].initial = scope.value
        self.fields["organisation"].choices = [
            ("", _("All organisations")),
            *((o.pk, o.name) for o in scope.organisations),
        ]
        self.fields["city"].choices = [("", _("All cities")), *((c, c) for c in scope.cities)]
        if len(scope.organisations) < 2:
            del self.fields["organisation"]
            del self.fields["city"]
        if not with_category:
            del self.fields["category"]
