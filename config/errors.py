"""Typed errors raised by the services of every app.

Services raise these; one DRF exception handler (``config.api``) and the web views map them to
HTTP answers, so that a rule is enforced once whatever the entry point.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """Base class: a business rule refused the operation."""

    status_code = 400
    default_message = _("The operation was refused.")

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)


class ValidationFailed(ServiceError):
    """Input that breaks a rule: 400 with the field it concerns."""

    status_code = 400
    default_message = _("Invalid input.")


class NotAllowed(ServiceError):
    """The actor sees the object but may not do this: 403."""

    status_code = 403
    default_message = _("You are not allowed to do this.")


class NotVisible(ServiceError):
    """The actor may not see the object: answered exactly like a missing one (404)."""

    status_code = 404
    default_message = _("Not found.")


class Conflict(ServiceError):
    """Not possible from the current state, or lost to a concurrent change: 409."""

    status_code = 409
    default_message = _("The object changed or is not in a state that allows this.")


def object_id(value: object) -> int:
    """The id in a path: a malformed one names nothing (404, exactly like a missing object),
    never a 500."""
    try:
        return int(str(value if value is not None else ""))
    except ValueError:
        raise NotVisible() from None
