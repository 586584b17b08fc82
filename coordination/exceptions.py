"""Typed errors of the coordination services (see ``config.errors``)."""

from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, NotAllowed, NotVisible, ValidationFailed


class InvalidRecurrence(ValidationFailed):
    default_message = _("This is not a valid recurrence rule.")


class NotASitting(NotVisible):
    """The meeting has no sitting at that time: answered like a missing page (404)."""


class AlreadyDone(Conflict):
    default_message = _("This was already done.")


__all__ = [
    "AlreadyDone",
    "Conflict",
    "InvalidRecurrence",
    "NotASitting",
    "NotAllowed",
    "NotVisible",
    "ValidationFailed",
]
