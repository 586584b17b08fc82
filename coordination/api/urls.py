from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api.action_plans import (
    ActivityViewSet,
    IndicatorReportViewSet,
    IndicatorViewSet,
    ObjectiveViewSet,
    PlanViewSet,
)
from coordination.api.alerts import AlertViewSet, CalendarFeedView, CalendarFeedViewSet
from coordination.api.pathways import PathwayViewSet, TermsViewSet
from coordination.api.plans import ContingencyPlanViewSet
from coordination.api.sittings import AgendaItemViewSet
from coordination.api.views import ActionItemViewSet, CoordinationGroupViewSet, MeetingViewSet

router = SimpleRouter()
router.register("coordination-groups", CoordinationGroupViewSet, basename="coordination-group")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
router.register("alerts", AlertViewSet, basename="alert")
router.register("calendar-feed", CalendarFeedViewSet, basename="calendar-feed")
router.register("contingency-plans", ContingencyPlanViewSet, basename="contingency-plan")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-objectives", ObjectiveViewSet, basename="plan-objective")
router.register("plan-activities", ActivityViewSet, basename="plan-activity")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("indicator-reports", IndicatorReportViewSet, basename="indicator-report")
router.register("pathways", PathwayViewSet, basename="pathway")
router.register("terms", TermsViewSet, basename="terms")

urlpatterns = [
    path("calendar-feed/", CalendarFeedView.as_view(), name="calendar-feed"),
    *router.urls,
]
