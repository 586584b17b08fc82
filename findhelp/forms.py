from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from findhelp.selectors import Choices
from organisations import names
from organisations.models import ServiceCategory


class FilterForm(forms.Form):
    """The directory's filters, offering only what the public directory holds."""

    category = forms.ChoiceField(label=_("Help with"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    language = forms.ChoiceField(label=_("Language spoken"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def __init__(self, data, *, offered: Choices) -> None:
        super().__init__(data)
        everything = [("", _("All"))]
        labels = dict(ServiceCategory.choices)
        self.fields["category"].choices = everything + [
            (code, labels.get(code, code)) for code in offered.categories
        ]
        # Names people typed, isolated from the right-to-left text around them.
        self.fields["city"].choices = everything + [(c, names.isolated(c)) for c in offered.cities]
        self.fields["area"].choices = everything + [(a, names.isolated(a)) for a in offered.areas]
        self.fields["language"].choices = everything + sorted(
            ((code, names.language_name(code)) for code in offered.languages),
            key=lambda choice: choice[1].casefold(),
        )

    def key(self) -> str:
        """The cleaned filters as a cache key: only values the form accepted ever make one."""
        data = self.cleaned_data
        return ":".join(
            str(data.get(name) or "")
            for name in ("category", "city", "area", "language", "open_now", "page")
        )
