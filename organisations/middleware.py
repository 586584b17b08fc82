import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from organisations import two_factor
from organisations.current import CurrentOrganisation


class CurrentOrganisationMiddleware:
    """Attach ``request.current`` (the user's memberships and the organisation they act for)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.current = CurrentOrganisation(request)
        return self.get_response(request)


class TwoFactorMiddleware:
    """After the password, the second factor: a person with an authenticator proves it before
    anything else; a privileged person without one (when required) sets it up first. Only the
    two-factor pages, sign-out and the language switch stay open in between.

    What a person needs is remembered in the session for a few minutes, so that most requests
    cost no query."""

    OPEN = ("two_factor:verify", "two_factor:setup", "logout", "set_language")
    CHECK_EVERY = 300

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        need = self._need(request, user)
        if need is None or self._is_open(request):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": str(_("Complete two-factor sign-in on the web first."))}, status=403
            )
        target = reverse(f"two_factor:{need}")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

    def _need(self, request: HttpRequest, user: object) -> str | None:
        cached = request.session.get(NEED_KEY)
        if cached and int(time.time()) - cached[1] < self.CHECK_EVERY:
            return cached[0] or None
        return note_two_factor_need(request, user) or None

    def _is_open(self, request: HttpRequest) -> bool:
        match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
        return match is not None and match.view_name in self.OPEN


NEED_KEY = "relais_2fa_need"


def note_two_factor_need(request: HttpRequest, user: object) -> str:
    """Decide what the person still has to do ("verify", "setup" or nothing) and remember it."""
    if two_factor.is_enabled(user):
        need = "verify"
    elif two_factor.is_required(user):
        need = "setup"
    else:
        need = ""
    request.session[NEED_KEY] = (need, int(time.time()))
    return need


@receiver(user_logged_in, dispatch_uid="relais_two_factor_need")
def decide_at_sign_in(sender: type, request: HttpRequest, user: object, **kwargs: object) -> None:
    # Decided with the sign-in, which writes the session anyway: pages then cost no query.
    if request is not None and hasattr(request, "session"):
        note_two_factor_need(request, user)


def forget_two_factor_need(request: HttpRequest) -> None:
    """After setting up, verifying or removing a device: decide again at the next request."""
    request.session.pop(NEED_KEY, None)


def _resolve(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None
