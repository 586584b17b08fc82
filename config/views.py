"""Project-wide views: health check and the API token endpoint."""

from axes.handlers.proxy import AxesProxyHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config import tokens
from config.serializers import StrictCharField
from organisations import two_factor
from organisations.models import ApiToken


def locked_out_message() -> str:
    return _(
        "Too many failed sign-ins for this account from your connection. Try again in 30 "
        "minutes, or ask your organisation's administrator to reset your password."
    )


class TokenRequestSerializer(AuthTokenSerializer):
    username = StrictCharField(label=gettext_lazy("Username"), write_only=True)
    password = StrictCharField(
        label=gettext_lazy("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )
    name = StrictCharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="What the token is for (the tool or script that will use it).",
    )
    otp = StrictCharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="With two-factor sign-in on: the code of the authenticator app (or a backup "
        "code).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(allow_null=True)
    name = serializers.CharField()


class ObtainTokenView(APIView):
    """``POST {"username", "password"}`` (and optionally ``"name"``) answers ``{"token"}`` with
    its expiry. Throttled against guessing and under the same lock-out as the sign-in page (by
    username and client address). The token is stored hashed; it expires after
    ``API_TOKEN_TTL_DAYS``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        operation_id="auth_token_create",
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if isinstance(username, str) and AxesProxyHandler.is_locked(
            request._request, credentials={"username": username}
        ):
            return Response(
                {"detail": locked_out_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # The second factor binds tokens too, or the API would be the way around it.
        if two_factor.is_enabled(user):
            otp = serializer.validated_data.get("otp", "")
            if not otp:
                raise ValidationError({"otp": [_("Enter the code of your authenticator app.")]})
            if two_factor.verify(user=user, token=otp) is None:
                raise ValidationError({"otp": [_("This code is not valid.")]})
        elif two_factor.is_required(user):
            raise PermissionDenied(
                _("Your role requires two-factor sign-in: set it up on the web first.")
            )
        instance, token = tokens.token_create(
            user=user,
            name=serializer.validated_data.get("name", ""),
        )
        return Response({"token": token, "expiry": instance.expiry, "name": instance.name})


class LogoutView(APIView):
    """Revoke the token this request was made with (``logout``), or every token of the person
    (``logout-all``)."""

    everything = False

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        if self.everything:
            tokens.tokens_revoke_all(user=request.user)
        elif isinstance(request.auth, ApiToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for a URL nothing answers: JSON under /api/ (the error body of the API), the page
    elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Something went wrong on our side.")}, status=500)
    return default_server_error(request)
