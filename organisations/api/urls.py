from django.urls import path
from rest_framework.routers import SimpleRouter

from organisations.api.views import OrganisationViewSet, PartnershipDocumentView, ServiceViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("services", ServiceViewSet, basename="service")

urlpatterns = [
    path(
        "partnerships/<str:pk>/document/",
        PartnershipDocumentView.as_view(),
        name="partnership-document",
    ),
    *router.urls,
]
