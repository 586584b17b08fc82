"""Sign-in lock-out: django-axes' database handler, plus a ceiling per account.

Axes locks a username *from one client address* after ``AXES_FAILURE_LIMIT`` failures, so that
an attacker cannot lock a colleague out from elsewhere. A guesser spreading attempts over many
addresses is then stopped by ``AXES_ACCOUNT_FAILURE_CEILING`` failures on the account from all
addresses within the cool-off period: far above what a person mistyping reaches, low enough to
end a distributed guess.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


class AccountCeilingHandler(AxesDatabaseHandler):
    def user_login_failed(
        self, sender: object, credentials: dict, request: object = None, **kwargs: object
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # Axes flags the request (its lock-out page) only for the per-address limit.
        if request is not None and not getattr(request, "axes_locked_out", False):
            request.axes_locked_out = self.is_locked(request, credentials)

    def is_locked(self, request: object, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        ceiling = settings.AXES_ACCOUNT_FAILURE_CEILING
        username = get_client_username(request, credentials)
        if not ceiling or not username:
            return False
        attempts = AccessAttempt.objects.filter(username=username)
        cool_off = get_cool_off(request)
        if cool_off:
            attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
        failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        return failures >= ceiling
