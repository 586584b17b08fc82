"""When the database cannot be reached (a restart, a failover, a full connection pool): 503 with
``Retry-After``, in JSON on the API and as a page elsewhere, never a 500 or Django's debug page.
A read (GET, HEAD) is tried once more on a fresh connection first: most restarts are over by
then. A write is not repeated: the client decides, as Retry-After invites it to.

Most requests meet the database first in a middleware (the session, the signed-in user), where
Django turns the exception into a 500 before any outer middleware sees it: a receiver of
``got_request_exception`` marks the request, and the middleware, outermost, answers 503 instead
(with DEBUG on too: an outage is no bug to debug)."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 15
SAFE_METHODS = ("GET", "HEAD")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The answer, built without the database (no context processors, no session)."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": _("The service is briefly unavailable. Try again in a moment.")},
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _note_database_error(
    sender: object, request: HttpRequest | None = None, **kwargs: object
) -> None:
    if request is not None and isinstance(sys.exc_info()[1], UNAVAILABLE):
        request.database_unavailable = True  # type: ignore[attr-defined]


got_request_exception.connect(_note_database_error, dispatch_uid="relais-database-unavailable")


def _drop_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            with contextlib.suppress(*UNAVAILABLE):
                connection.close()


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _failed(request, response):
            return response
        if request.method in SAFE_METHODS:
            # The whole inner chain runs again, not only the view: the session and the user,
            # read in middleware, failed with it. Only for reads, which change nothing.
            request.database_unavailable = False  # type: ignore[attr-defined]
            _drop_broken_connections()
            response = self.get_response(request)
            if not _failed(request, response):
                return response
        logger.warning("Database unavailable: answered 503 to %s %s", request.method, request.path)
        return unavailable_response(request)


def _failed(request: HttpRequest, response: HttpResponse) -> bool:
    return response.status_code == 500 and getattr(request, "database_unavailable", False)
