from django.urls import path
from rest_framework.routers import SimpleRouter

from referrals.api.access import AccessLogViewSet
from referrals.api.dashboard import DashboardView
from referrals.api.external import ExternalReferralViewSet, UnlistedOrganisationViewSet
from referrals.api.insight import ProfileStatsView, ReferralStatsView
from referrals.api.views import CaseViewSet, ReferralViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("access-log", AccessLogViewSet, basename="access-log")
router.register("external-referrals", ExternalReferralViewSet, basename="external-referral")
router.register(
    "unlisted-organisations", UnlistedOrganisationViewSet, basename="unlisted-organisation"
)

urlpatterns = [
    path("stats/referrals/", ReferralStatsView.as_view(), name="stats-referrals"),
    path("stats/profile/", ProfileStatsView.as_view(), name="stats-profile"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    *router.urls,
]
