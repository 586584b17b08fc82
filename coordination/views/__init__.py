"""Web pages of coordination. Thin: forms in, the same services as the API out.

Whatever the user may not see is a 404, exactly like a missing page; what they see but may not
change is a 403.
"""

from coordination.views.feeds import feed, feed_regenerate, feed_revoke, feed_settings
from coordination.views.groups import group_create, group_detail, group_edit, group_list
from coordination.views.meetings import (
    agenda_action,
    agenda_propose,
    attendance,
    decision_add,
    meeting_cancel,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_ics,
    minutes,
    month_calendar,
    sitting_cancel,
    sitting_move,
    sitting_reinstate,
    upcoming,
)
from coordination.views.work import (
    action_create,
    action_update,
    alert_acknowledge,
    alert_create,
    alert_detail,
    my_actions,
    plan_create,
    plan_detail,
    plan_edit,
    plan_reviewed,
)

__all__ = [
    "action_create",
    "action_update",
    "agenda_action",
    "agenda_propose",
    "alert_acknowledge",
    "alert_create",
    "alert_detail",
    "attendance",
    "decision_add",
    "feed",
    "feed_regenerate",
    "feed_revoke",
    "feed_settings",
    "group_create",
    "group_detail",
    "group_edit",
    "group_list",
    "meeting_cancel",
    "meeting_create",
    "meeting_detail",
    "meeting_edit",
    "meeting_ics",
    "minutes",
    "month_calendar",
    "my_actions",
    "plan_create",
    "plan_detail",
    "plan_edit",
    "plan_reviewed",
    "sitting_cancel",
    "sitting_move",
    "sitting_reinstate",
    "upcoming",
]
