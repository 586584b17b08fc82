"""Project-wide response headers."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

LAST_SEEN = "relais_last_seen"
# The session is written at most this often just to note activity (not on every request).
LAST_SEEN_RESOLUTION = 60


class NoStoreMiddleware:
    """Pages and API answers may hold personal data: no browser, proxy or shared cache keeps a
    copy (``Cache-Control: no-store``). Static files are answered before this runs (WhiteNoise);
    a view that knows better sets its own header (the calendar feed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
        return response


class SessionIdleTimeoutMiddleware:
    """Sign out a session idle for longer than ``SESSION_IDLE_TIMEOUT`` seconds (the absolute
    limit is ``SESSION_COOKIE_AGE``). API calls with a token are not sessions and pass through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("You were signed out after a period without activity."))
            elif last is None or now - last >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="relais_session_last_seen")
def note_sign_in(sender: type, request: HttpRequest, **kwargs: object) -> None:
    """The idle clock starts at sign-in (and the first page does not write the session again)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class ApiRequestGuardMiddleware:
    """What no API operation accepts is refused before any view runs, with the API's JSON:

    - a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413 before anything reads it (DRF
      reads JSON from the stream, past Django's own check, whose answer is an HTML page);
    - a query parameter given twice: 400 naming it (every parameter of the API is single; a
      view would silently read one of the two);
    - an empty ``format``: 400 (DRF would serve its default format)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return JsonResponse(
                    {
                        "detail": _("The request body is larger than %(limit)s bytes.")
                        % {"limit": limit}
                    },
                    status=413,
                )
        if request.path.startswith("/api/"):
            repeated = sorted(k for k, v in request.GET.lists() if len(v) > 1)
            if repeated:
                return JsonResponse(
                    {name: [_("Give this parameter once.")] for name in repeated}, status=400
                )
            # DRF reads an empty ?format= as none given; the schema offers named formats only.
            if request.GET.get("format", None) == "":
                return JsonResponse(
                    {"format": [_("Give a value or leave the parameter out.")]}, status=400
                )
        return self.get_response(request)
