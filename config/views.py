"""Project-wide views: health check and the API token endpoint."""

from axes.handlers.proxy import AxesProxyHandler
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose health checks: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def locked_out_message() -> str:
    return _(
        "Too many failed sign-ins for this account from your connection. Try again in 30 "
        "minutes, or ask your organisation's administrator to reset your password."
    )


class ObtainTokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` answers ``{"token"}``; throttled against guessing and
    under the same lock-out as the sign-in page (by username and client address)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if isinstance(username, str) and AxesProxyHandler.is_locked(
            request._request, credentials={"username": username}
        ):
            return Response(
                {"detail": locked_out_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        return super().post(request, *args, **kwargs)
