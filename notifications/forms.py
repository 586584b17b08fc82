from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications import kinds


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=settings.LANGUAGES)
    email_kinds = forms.MultipleChoiceField(
        label=_("Also send me an e-mail for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Every notification appears under the bell; tick what should also come by e-mail."
        ),
    )

    silenced_kinds = forms.MultipleChoiceField(
        label=_("Do not tell me at all of"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Neither under the bell nor by e-mail."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email_kinds"].choices = [(k.code, k.label) for k in kinds.all_kinds()]
        silenceable = [(k.code, k.label) for k in kinds.silenceable_kinds()]
        if silenceable:
            self.fields["silenced_kinds"].choices = silenceable
        else:
            del self.fields["silenced_kinds"]
