"""Every change to coordination: groups, meetings and their sittings, agendas, attendance,
minutes, decisions, action items, alerts, contingency plans and calendar feeds.

Each service checks visibility first (``NotVisible``: 404, exactly like a missing object), then
the actor's right (``NotAllowed``: 403), then the state (``Conflict``: 409) and the input
(``ValidationFailed``: 400). Services that change a meeting or one of its sittings lock the
meeting row for the rest of the transaction, which serialises two coordinators editing the same
series and lets the first one create a sitting's occurrence row without a race. People are told
through ``coordination.notifications`` in the same transaction (an outbox: see there). Views, the
API, the admin, the demo and the Celery sweeps all call these functions, imported from here.
"""

from coordination.services.action_plans import (
    action_plan_create,
    action_plan_update,
    activity_create,
    activity_update,
    indicator_create,
    indicator_report,
    indicator_update,
    objective_save,
)
from coordination.services.actions import (
    action_item_create,
    action_item_update,
    is_action_owner,
)
from coordination.services.agenda import agenda_decide, agenda_move, agenda_propose, may_propose
from coordination.services.alerts import alert_acknowledge, alert_broadcast
from coordination.services.feeds import feed_regenerate, feed_revoke
from coordination.services.groups import (
    group_create,
    group_set_coordinators,
    group_sync_permissions,
    group_update,
)
from coordination.services.meetings import (
    attendance_record,
    decision_record,
    meeting_cancel,
    meeting_schedule,
    meeting_update,
    minutes_save,
    sitting_cancel,
    sitting_get,
    sitting_move,
    sitting_reinstate,
)
from coordination.services.plans import plan_create, plan_mark_reviewed, plan_update
from coordination.services.reports import report_remind, report_reminders_send, reports_due
from coordination.services.sweeps import (
    action_item_remind,
    meeting_reminder_bounds_refresh,
    meeting_reminder_send,
)
from coordination.services.terms import (
    pathway_adopt,
    pathway_create,
    pathway_update,
    terms_adopt,
    terms_create,
    terms_endorse,
    terms_update,
)

__all__ = [
    "action_item_create",
    "action_item_remind",
    "action_item_update",
    "action_plan_create",
    "action_plan_update",
    "activity_create",
    "activity_update",
    "agenda_decide",
    "agenda_move",
    "agenda_propose",
    "alert_acknowledge",
    "alert_broadcast",
    "attendance_record",
    "decision_record",
    "feed_regenerate",
    "feed_revoke",
    "group_create",
    "group_set_coordinators",
    "group_sync_permissions",
    "group_update",
    "indicator_create",
    "indicator_report",
    "indicator_update",
    "is_action_owner",
    "may_propose",
    "meeting_cancel",
    "meeting_reminder_bounds_refresh",
    "meeting_reminder_send",
    "meeting_schedule",
    "meeting_update",
    "minutes_save",
    "objective_save",
    "pathway_adopt",
    "pathway_create",
    "pathway_update",
    "plan_create",
    "plan_mark_reviewed",
    "plan_update",
    "report_remind",
    "report_reminders_send",
    "reports_due",
    "sitting_cancel",
    "sitting_get",
    "sitting_move",
    "sitting_reinstate",
    "terms_adopt",
    "terms_create",
    "terms_endorse",
    "terms_update",
]
