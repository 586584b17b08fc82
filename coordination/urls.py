from django.urls import path, register_converter

from coordination import views


class StampConverter:
    """A sitting's original start in the URL: compact UTC, as in iCalendar (20260303T090000Z)."""

    regex = r"\d{8}T\d{6}Z"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StampConverter, "stamp")

app_name = "coordination"

urlpatterns = [
    path("", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group-create"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group-edit"),
    path("groups/<int:pk>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("groups/<int:pk>/alerts/new/", views.alert_create, name="alert-create"),
    path("groups/<int:pk>/plans/new/", views.plan_create, name="plan-create"),
    path("meetings/", views.upcoming, name="upcoming"),
    path("meetings/calendar/", views.month_calendar, name="calendar"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/meeting.ics", views.meeting_ics, name="meeting-ics"),
    path("meetings/<int:pk>/<stamp:stamp>/", views.meeting_detail, name="sitting"),
    path("meetings/<int:pk>/<stamp:stamp>/cancel/", views.sitting_cancel, name="sitting-cancel"),
    path(
        "meetings/<int:pk>/<stamp:stamp>/reinstate/",
        views.sitting_reinstate,
        name="sitting-reinstate",
    ),
    path("meetings/<int:pk>/<stamp:stamp>/move/", views.sitting_move, name="sitting-move"),
    path("meetings/<int:pk>/<stamp:stamp>/agenda/", views.agenda_propose, name="agenda-propose"),
    path("meetings/<int:pk>/<stamp:stamp>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/<stamp:stamp>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/<stamp:stamp>/decisions/", views.decision_add, name="decision-add"),
    path("meetings/<int:pk>/<stamp:stamp>/actions/", views.action_create, name="action-create"),
    path("agenda/<int:pk>/<slug:action>/", views.agenda_action, name="agenda-action"),
    path("actions/", views.my_actions, name="my-actions"),
    path("actions/<int:pk>/", views.action_update, name="action-update"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/reviewed/", views.plan_reviewed, name="plan-reviewed"),
    # The mechanism: terms of reference, pathways, joint action plans.
    path("groups/<int:pk>/terms/", views.terms, name="terms"),
    path("groups/<int:pk>/terms/new/", views.terms_create, name="terms-create"),
    path("terms/<int:pk>/", views.terms_version, name="terms-version"),
    path("terms/<int:pk>/edit/", views.terms_edit, name="terms-edit"),
    path("terms/<int:pk>/adopt/", views.terms_adopt, name="terms-adopt"),
    path("terms/<int:pk>/endorse/", views.terms_endorse, name="terms-endorse"),
    path("groups/<int:pk>/pathways/", views.pathways, name="pathways"),
    path("groups/<int:pk>/pathways/new/", views.pathway_create, name="pathway-create"),
    path("pathways/<int:pk>/", views.pathway, name="pathway"),
    path("pathways/<int:pk>/edit/", views.pathway_edit, name="pathway-edit"),
    path("pathways/<int:pk>/adopt/", views.pathway_adopt, name="pathway-adopt"),
    path("groups/<int:pk>/action-plans/", views.action_plans, name="action-plans"),
    path("groups/<int:pk>/action-plans/new/", views.action_plan_create, name="action-plan-create"),
    path("action-plans/<int:pk>/", views.action_plan, name="action-plan"),
    path("action-plans/<int:pk>/edit/", views.action_plan_edit, name="action-plan-edit"),
    path("action-plans/<int:pk>/progress/", views.plan_progress, name="plan-progress"),
    path("action-plans/<int:pk>/objectives/new/", views.objective_create, name="objective-create"),
    path("action-plans/<int:pk>/activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("action-plans/<int:pk>/indicators/new/", views.indicator_create, name="indicator-create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/report/<str:period>/", views.plan_report, name="plan-report"),
    path("commitments/", views.commitments, name="commitments"),
    path("calendar-feed/", views.feed_settings, name="feed-settings"),
    path("calendar-feed/regenerate/", views.feed_regenerate, name="feed-regenerate"),
    path("calendar-feed/revoke/", views.feed_revoke, name="feed-revoke"),
    path("feed/<int:pk>/<slug:token>.ics", views.feed, name="feed"),
]
