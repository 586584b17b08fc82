"""Action items: recorded by coordinators, updated by their owners."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import notifications, permissions
from coordination.exceptions import (
    NotAllowed,
    NotVisible,
)
from coordination.models import (
    ActionItem,
    ActionStatus,
    Activity,
    CoordinationGroup,
)
from organisations.models import Membership, Organisation
from organisations.selectors import memberships_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from coordination.services.common import check_activity, full_clean, require
from coordination.services.meetings import coordinated_sitting, sitting_row


def _check_owner(
    group: CoordinationGroup, organisation: Organisation | None, user: User | None
) -> None:
    require(
        organisation is not None or user is not None,
        _("Name the organisation or the person who does it."),
        field="owner_organisation",
    )
    if organisation is not None:
        require(
            group.members.filter(pk=organisation.pk, is_active=True).exists(),
            _("Choose a member organisation of the group."),
            field="owner_organisation",
        )
    if user is not None:
        member_ids = list(group.members.values_list("pk", flat=True))
        staff = Membership.objects.active().filter(user=user)
        if organisation is not None:
            fits = staff.filter(organisation=organisation).exists()
            message = _("This person is not on the staff of that organisation.")
        else:
            fits = (
                staff.filter(organisation_id__in=member_ids).exists()
                or group.coordinators.filter(pk=user.pk).exists()
            )
            message = _("This person takes no part in the group.")
        require(user.is_active and fits, message, field="owner_user")


@transaction.atomic
def action_item_create(
    *,
    actor: User,
    meeting_id: int,
    title: str,
    due_on: datetime.date,
    original_start: datetime.datetime | None = None,
    description: str = "",
    owner_organisation: Organisation | None = None,
    owner_user: User | None = None,
    activity: Activity | None = None,
) -> ActionItem:
    """A coordinator records an action item decided at a sitting (the latest by default); its
    owner is told. It may serve an activity of one of the group's joint plans."""
    meeting, sitting = coordinated_sitting(meeting_id, original_start, actor)
    title = (title or "").strip()
    require(bool(title), _("Say what is to be done."), field="title")
    require(due_on is not None, _("Give a due date."), field="due_on")
    require(
        due_on >= sitting.starts_at.date(),
        _("The due date cannot be before the meeting."),
        field="due_on",
    )
    _check_owner(meeting.group, owner_organisation, owner_user)
    check_activity(meeting.group, activity)
    item = ActionItem(
        group=meeting.group,
        occurrence=sitting_row(meeting, sitting),
        title=title,
        description=(description or "").strip(),
        owner_organisation=owner_organisation,
        owner_user=owner_user,
        due_on=due_on,
        activity=activity,
        created_by=actor,
    )
    full_clean(item, exclude=["group", "occurrence", "created_by", "activity"])
    item.save()
    notifications.action_assigned(item=item, actor=actor)
    return item


OWNER_FIELDS = {"status", "progress_note"}
COORDINATOR_FIELDS = OWNER_FIELDS | {
    "title",
    "description",
    "owner_organisation",
    "owner_user",
    "due_on",
}


def is_action_owner(user: User, item: ActionItem) -> bool:
    """The person named, or staff (active membership) of the owner organisation."""
    if not getattr(user, "is_active", False):
        return False
    if item.owner_user_id == user.pk:
        return True
    return item.owner_organisation_id is not None and any(
        m.organisation_id == item.owner_organisation_id for m in memberships_of(user)
    )


@transaction.atomic
def action_item_update(*, action_item_id: int, actor: User, **fields: Any) -> ActionItem:
    """Coordinators change anything; the owner (the person, or staff of the organisation)
    updates the status and the progress note."""
    item = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("group", "owner_organisation", "owner_user")
        .filter(pk=action_item_id)
        .first()
    )
    if item is None or not permissions.can_view(actor, item.group):
        raise NotVisible()
    unknown = set(fields) - COORDINATOR_FIELDS
    require(
        not unknown, _("These fields cannot be changed here."), field=min(unknown, default=None)
    )
    if permissions.can_coordinate(actor, item.group):
        pass
    elif is_action_owner(actor, item):
        if set(fields) - OWNER_FIELDS:
            raise NotAllowed(_("The owner updates the status and the progress note only."))
    else:
        raise NotAllowed()
    owners_before = (item.owner_organisation_id, item.owner_user_id)
    due_before = item.due_on
    text_fields = {"title", "description", "progress_note", "status"}
    for name, value in fields.items():
        setattr(item, name, "" if value is None and name in text_fields else value)
    require(item.status in ActionStatus.values, _("Unknown status."), field="status")
    if {"owner_organisation", "owner_user"} & set(fields):
        _check_owner(item.group, item.owner_organisation, item.owner_user)
    if item.due_on != due_before:
        item.due_reminded_at = item.overdue_reminded_at = None
    if item.status == ActionStatus.DONE:
        item.completed_at = item.completed_at or timezone.now()
    else:
        item.completed_at = None
    full_clean(item, exclude=["group", "occurrence", "created_by"])
    item.save()
    if (item.owner_organisation_id, item.owner_user_id) != owners_before:
        notifications.action_assigned(item=item, actor=actor)
    return item
