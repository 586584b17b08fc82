from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import health
from config.metrics import metrics
from config.views import LogoutView, ObtainTokenView
from notifications import views as notification_views
from referrals.insight.views import home

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"

admin.site.site_header = "Relais"
admin.site.site_title = "Relais"

api_v1 = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutView.as_view(everything=True), name="api-logout-all"),
    path("", include("organisations.api.urls")),
    path("", include("referrals.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("coordination.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("metrics", metrics, name="metrics"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/two-factor/", include("organisations.two_factor_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", notification_views.set_language, name="set_language"),
    path("notifications/", include("notifications.urls")),
    path("organisations/", include("organisations.urls")),
    path("coordination/", include("coordination.urls")),
    path("insight/", include("referrals.insight.urls")),
    path("", include("referrals.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/hsds/", include("organisations.api.hsds_urls")),
    path("find-help/", include("findhelp.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
