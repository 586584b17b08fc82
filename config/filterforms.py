"""Filter forms drawn once per language and choice.

A list page's filter form (GET, fixed choices, nothing of the person in it) looks the same for
everyone who reads the page in the same language with the same filters. Drawing it through
Django's widget templates, one template per option, took 7 ms of the web inbox's 50 (issue 13):
the HTML is kept, per process, for the last few hundred combinations."""

from __future__ import annotations

from functools import lru_cache

from django import forms
from django.template import engines
from django.utils.safestring import SafeString
from django.utils.translation import get_language

_FIELDS = engines["django"].from_string(
    "{% for field in form %}<div>{{ field.label_tag }}{{ field }}</div>{% endfor %}"
)


def _draw(form: forms.Form) -> SafeString:
    drawn = _FIELDS.render({"form": form})
    assert isinstance(drawn, SafeString)  # noqa: S101  # nosec B101 - escaped by the engine
    return drawn


class FixedFilterForm(forms.Form):
    """A filter form whose choices never change while the process runs (no query, no setting
    read per request): ``as_fields`` gives its fields' HTML, each label then its widget."""

    def as_fields(self) -> SafeString:
        if not self.is_bound:
            return _drawn(type(self), get_language(), None)
        if not self.is_valid():
            return _draw(self)  # an invalid value is shown as given: not kept
        return _drawn(type(self), get_language(), tuple(sorted(self.cleaned_data.items())))


@lru_cache(maxsize=512)
def _drawn(
    form_class: type[FixedFilterForm], language: str | None, values: tuple | None
) -> SafeString:
    # The valid values are finite (choices, yes/no): the key cannot grow without end.
    return _draw(form_class() if values is None else form_class(dict(values)))
