"""Typed errors of the referral services (mapped to HTTP codes in ``config.api``)."""

from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, NotAllowed, NotVisible, ValidationFailed


class InvalidTransition(Conflict):
    """Not possible from the current state, or another person changed it first (409)."""

    def __init__(self, state: str, action: str) -> None:
        super().__init__(
            _("“%(action)s” is not possible while the referral is “%(state)s”.")
            % {"action": action, "state": state}
        )
        self.state = state
        self.action = action


class ConsentMissing(ValidationFailed):
    default_message = _(
        "No active consent covers this recipient. Record the person's consent first, or (a "
        "supervisor, in an emergency) give a written justification to override."
    )


__all__ = ["ConsentMissing", "InvalidTransition", "NotAllowed", "NotVisible", "ValidationFailed"]
