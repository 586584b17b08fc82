"""Typed errors of the registry's services (see ``config.errors``)."""

from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, NotAllowed, NotVisible, ValidationFailed


class LastAdmin(ValidationFailed):
    default_message = _("An organisation keeps at least one active administrator.")


class NotAMunicipality(ValidationFailed):
    default_message = _("A partnership is made with a municipality.")


__all__ = [
    "Conflict",
    "LastAdmin",
    "NotAMunicipality",
    "NotAllowed",
    "NotVisible",
    "ValidationFailed",
]
