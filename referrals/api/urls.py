from rest_framework.routers import SimpleRouter

from referrals.api.views import CaseViewSet, ReferralViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = router.urls
