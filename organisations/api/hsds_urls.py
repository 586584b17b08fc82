"""/api/hsds/: the open-data directory (Open Referral HSDS 3.0), served from the cache."""

from django.conf import settings
from django.urls import path
from django.views.decorators.cache import cache_page

from organisations.api import hsds


def cached(view):
    return cache_page(settings.OPEN_DATA_CACHE_SECONDS, key_prefix="hsds")(view)


urlpatterns = [
    path("", cached(hsds.AboutView.as_view()), name="hsds-about"),
    path("services/", cached(hsds.ServiceListView.as_view()), name="hsds-services"),
    path("services/<str:pk>", cached(hsds.ServiceDetailView.as_view()), name="hsds-service"),
    path("organizations/", cached(hsds.OrganizationListView.as_view()), name="hsds-organizations"),
    path("datapackage.zip", cached(hsds.DatapackageView.as_view()), name="hsds-datapackage"),
    path(
        "organizations/<str:pk>",
        cached(hsds.OrganizationDetailView.as_view()),
        name="hsds-organization",
    ),
]
