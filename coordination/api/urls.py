from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api.alerts import AlertViewSet, CalendarFeedView, CalendarFeedViewSet
from coordination.api.plans import PlanViewSet
from coordination.api.sittings import AgendaItemViewSet
from coordination.api.views import ActionItemViewSet, CoordinationGroupViewSet, MeetingViewSet

router = SimpleRouter()
router.register("coordination-groups", CoordinationGroupViewSet, basename="coordination-group")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("alerts", AlertViewSet, basename="alert")
router.register("calendar-feed", CalendarFeedViewSet, basename="calendar-feed")
router.register("plans", PlanViewSet, basename="plan")

urlpatterns = [
    path("calendar-feed/", CalendarFeedView.as_view(), name="calendar-feed"),
    *router.urls,
]
