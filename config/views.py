"""Project-wide views: health check and the API token endpoint."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose health checks: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class ObtainTokenView(ObtainAuthToken):
    """``POST {"username", "password"}`` answers ``{"token"}``; throttled against guessing."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
