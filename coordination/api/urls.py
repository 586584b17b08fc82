from rest_framework.routers import SimpleRouter

from coordination.api.sittings import AgendaItemViewSet
from coordination.api.views import ActionItemViewSet, CoordinationGroupViewSet, MeetingViewSet

router = SimpleRouter()
router.register("coordination-groups", CoordinationGroupViewSet, basename="coordination-group")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")

urlpatterns = router.urls
