"""Who hears of what happens in a coordination group, and what they are told.

Producers call these inside their own transaction: ``notifications.services.notify_later``
writes the decision (who, and the texts) with the change itself, and a worker writes the in-app
notifications and the e-mail outbox rows after commit, so a rolled-back change sends nothing, a
broker outage loses nothing (the delivery sweep hands it over later), and a message to forty
organisations does not make the request wait. Each message has an idempotency key, so a service or
sweep that runs twice notifies once. Texts carry meeting titles, dates and organisation names,
never personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.models import ActionItem, Alert, Meeting
from notifications import kinds
from notifications.services import Message, notify, notify_later
from organisations.models import Organisation, Role

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from coordination.models import AgendaItem, Indicator
    from coordination.periods import Period
    from coordination.schedule import Sitting

TEMPLATES = "coordination/notifications/"
MEETING = "coordination.meeting"
REMINDER = "coordination.reminder"
AGENDA = "coordination.agenda"
ACTION = "coordination.action"
ALERT = "coordination.alert"
PLAN = "coordination.plan"

KINDS = {
    MEETING: (_("A meeting of my coordination group is scheduled, changed or cancelled"), True),
    REMINDER: (_("Reminders before coordination meetings"), True),
    AGENDA: (_("An agenda item I proposed is accepted"), False),
    ACTION: (_("Action items for me or my organisation: assigned, due, overdue"), True),
    ALERT: (_("Urgent alerts of my coordination groups"), True),
    PLAN: (_("Reports due on the indicators my organisation leads in an action plan"), True),
}


def register_kinds() -> None:
    for code, (label, email) in KINDS.items():
        kinds.register(code, label, email_by_default=email)


def _users() -> QuerySet:
    return get_user_model().objects.filter(is_active=True)


def staff_of(organisations: Iterable[Organisation] | QuerySet, roles: Iterable[str] = ()) -> list:
    """Active users with an active membership in any of the (active) organisations."""
    people = _users().filter(
        memberships__organisation__in=organisations,
        memberships__is_active=True,
        memberships__organisation__is_active=True,
    )
    if roles:
        people = people.filter(memberships__role__in=list(roles))
    return list(people.distinct())


def invited_people(meeting: Meeting) -> list:
    """The invited organisations' staff (every member organisation if none was named) and the
    group's coordinators."""
    invited = meeting.invited_organisations.all()
    if not invited.exists():
        invited = meeting.group.members.all()
    people = {user.pk: user for user in staff_of(invited)}
    people.update({user.pk: user for user in meeting.group.coordinators.filter(is_active=True)})
    return list(people.values())


def action_owners(item: ActionItem) -> list:
    """The person named, else the owner organisation's supervisors (all its staff if none)."""
    if item.owner_user_id:
        return [item.owner_user] if item.owner_user.is_active else []
    organisation = [item.owner_organisation]
    return staff_of(organisation, roles=[Role.SUPERVISOR]) or staff_of(organisation)


def _send(
    people: Iterable,
    *,
    kind: str,
    key: str,
    name: str,
    url: str,
    context: dict,
    in_worker: bool = False,
) -> None:
    message = Message(kind=kind, key=key, template=TEMPLATES + name, url=url, context=context)
    if in_worker:  # a sweep: already where the work is done
        notify(recipients=people, message=message)
    else:  # a request writes one row; a worker writes each person's notification and e-mail
        notify_later(recipients=people, message=message)


def _without(people: Iterable, actor: object | None) -> list:
    actor_id = getattr(actor, "pk", None)
    return [person for person in people if person.pk != actor_id]


# Meetings ---------------------------------------------------------------------------------------


def meeting_event(*, meeting: Meeting, event: str, sitting: Sitting | None, actor: object) -> None:
    """``event``: scheduled, changed or cancelled (the whole meeting or series); ``sitting`` is
    the next one, None when every sitting was cancelled or moved away."""
    _send(
        _without(invited_people(meeting), actor),
        kind=MEETING,
        key=f"coordination:meeting:{meeting.pk}:{event}:{meeting.sequence}",
        name=f"meeting_{event}",
        url=reverse("coordination:meeting", args=[meeting.pk]),
        context={"meeting": meeting, "sitting": sitting, "whole": True},
    )


def sitting_event(*, meeting: Meeting, event: str, sitting: Sitting, actor: object) -> None:
    """One sitting of a series was moved, cancelled or reinstated."""
    _send(
        _without(invited_people(meeting), actor),
        kind=MEETING,
        key=f"coordination:meeting:{meeting.pk}:{sitting.stamp}:{event}:{meeting.sequence}",
        name=f"meeting_{event}",
        url=sitting.get_absolute_url(),
        context={"meeting": meeting, "sitting": sitting, "whole": False},
    )


def meeting_reminder(*, meeting: Meeting, sitting: Sitting, kind: str) -> None:
    _send(
        invited_people(meeting),
        kind=REMINDER,
        key=f"coordination:reminder:{meeting.pk}:{sitting.stamp}:{kind}",
        name="meeting_reminder",
        url=sitting.get_absolute_url(),
        context={"meeting": meeting, "sitting": sitting, "lead": kind},
        in_worker=True,
    )


def agenda_accepted(*, item: AgendaItem, sitting: Sitting, actor: object) -> None:
    proposer = item.proposed_by
    if proposer is None or not proposer.is_active:
        return
    _send(
        _without([proposer], actor),
        kind=AGENDA,
        key=f"coordination:agenda:{item.pk}:accepted",
        name="agenda_accepted",
        url=sitting.get_absolute_url(),
        context={"item": item, "meeting": sitting.meeting, "sitting": sitting},
    )


# Action items -----------------------------------------------------------------------------------


def action_assigned(*, item: ActionItem, actor: object) -> None:
    _send(
        _without(action_owners(item), actor),
        kind=ACTION,
        key=(
            f"coordination:action:{item.pk}:assigned:"
            f"{item.owner_organisation_id or '-'}:{item.owner_user_id or '-'}"
        ),
        name="action_assigned",
        url=reverse("coordination:my-actions"),
        context={"item": item, "group": item.group},
    )


def action_due(*, item: ActionItem) -> None:
    _send(
        action_owners(item),
        kind=ACTION,
        key=f"coordination:action:{item.pk}:due:{item.due_on:%Y%m%d}",
        name="action_due",
        url=reverse("coordination:my-actions"),
        context={"item": item, "group": item.group},
        in_worker=True,
    )


def action_overdue(*, item: ActionItem) -> None:
    people = {user.pk: user for user in action_owners(item)}
    people.update({user.pk: user for user in item.group.coordinators.filter(is_active=True)})
    _send(
        people.values(),
        kind=ACTION,
        key=f"coordination:action:{item.pk}:overdue:{item.due_on:%Y%m%d}",
        name="action_overdue",
        url=reverse("coordination:group", args=[item.group_id]),
        context={"item": item, "group": item.group},
        in_worker=True,
    )


# Alerts -----------------------------------------------------------------------------------------


def alert_broadcast(*, alert: Alert) -> None:
    _send(
        _without(staff_of(alert.recipients.all()), alert.sent_by),
        kind=ALERT,
        key=f"coordination:alert:{alert.pk}",
        name="alert_broadcast",
        url=reverse("coordination:alert", args=[alert.pk]),
        context={"alert": alert, "group": alert.group},
    )


# Joint action plans -----------------------------------------------------------------------------


def report_reminder(*, indicator: Indicator, period: Period, late: bool) -> None:
    """To the lead organisation's supervisors and admins; a late report to the coordinators too."""
    lead = indicator.activity.lead_organisation if indicator.activity else None
    if lead is None:
        return
    people = {user.pk: user for user in staff_of([lead], roles=[Role.SUPERVISOR, Role.ADMIN])}
    group = indicator.plan.group
    if late:
        people.update({user.pk: user for user in group.coordinators.filter(is_active=True)})
    step = "late" if late else "due"
    _send(
        people.values(),
        kind=PLAN,
        key=f"coordination:report:{indicator.pk}:{period.start:%Y%m%d}:{step}",
        name=f"report_{step}",
        url=reverse("coordination:plan-report", args=[indicator.pk, period.start.isoformat()]),
        context={"indicator": indicator, "period": period, "group": group, "lead": lead},
        in_worker=True,
    )
