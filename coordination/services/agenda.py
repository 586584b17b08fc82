"""The agenda of a sitting: members propose, coordinators accept, decline and order."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination import notifications, permissions
from coordination.exceptions import (
    AlreadyDone,
    Conflict,
    NotAllowed,
    NotVisible,
)
from coordination.models import (
    AgendaItem,
    AgendaStatus,
    Meeting,
    Occurrence,
)
from organisations.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from coordination.models import ActionPlan, CoordinationGroup
    from coordination.schedule import Sitting
from coordination.services.common import check_plan, member_organisations_of, require
from coordination.services.meetings import locked_meeting, resolve_sitting, sitting_get, sitting_row


def may_propose(actor: User, group: CoordinationGroup, sitting: Sitting) -> bool:
    """Staff of a member organisation propose until the sitting starts; coordinators put items
    on the agenda at any time; nobody adds to a cancelled sitting. (The page shows the form to
    exactly these people; ``agenda_propose`` says why to the others.)"""
    coordinates = permissions.can_coordinate(actor, group)
    if not coordinates and not permissions.takes_part(actor, group):
        return False
    if sitting.is_cancelled:
        return False
    return coordinates or sitting.starts_at > timezone.now()


@transaction.atomic
def agenda_propose(
    *,
    meeting_id: int,
    original_start: datetime.datetime,
    actor: User,
    title: str,
    description: str = "",
    organisation: Organisation | None = None,
    reviews_plan: ActionPlan | None = None,
) -> AgendaItem:
    """Staff of a member organisation propose an item before the meeting; a coordinator's own
    item goes straight onto the agenda. An item may review one of the group's joint plans."""
    meeting, sitting = resolve_sitting(meeting_id, original_start, actor)
    group = meeting.group
    coordinates = permissions.can_coordinate(actor, group)
    if not coordinates and not permissions.takes_part(actor, group):
        raise NotAllowed()
    if sitting.is_cancelled:
        raise Conflict(_("This meeting is cancelled."))
    if not coordinates and sitting.starts_at <= timezone.now():
        raise Conflict(_("Items are proposed before the meeting starts."))
    title = (title or "").strip()
    require(bool(title), _("Give the item a title."), field="title")
    require(len(title) <= 200, _("Keep the title under 200 characters."), field="title")
    mine = member_organisations_of(actor, group)
    if organisation is not None:
        require(
            organisation in mine,
            _("Propose for one of your organisations in the group."),
            field="organisation",
        )
    elif mine:
        organisation = mine[0]
    check_plan(group, reviews_plan)
    row = sitting_row(meeting, sitting)
    item = AgendaItem(
        occurrence=row,
        title=title,
        description=(description or "").strip(),
        proposed_by=actor,
        proposed_by_organisation=organisation,
        reviews_plan=reviews_plan,
    )
    if coordinates:
        item.status = AgendaStatus.ACCEPTED
        item.decided_by = actor
        item.decided_at = timezone.now()
        item.position = _next_position(row)
    item.save()
    return item


def _next_position(row: Occurrence) -> int:
    highest = row.agenda_items.filter(status=AgendaStatus.ACCEPTED).aggregate(m=Max("position"))
    return (highest["m"] or 0) + 1


def _locked_item(item_id: int, actor: User) -> tuple[AgendaItem, Meeting, Sitting]:
    item = AgendaItem.objects.select_related("occurrence").filter(pk=item_id).first()
    if item is None:
        raise NotVisible()
    meeting = locked_meeting(item.occurrence.meeting_id, actor)
    item = AgendaItem.objects.select_related("occurrence", "proposed_by").get(pk=item_id)
    if not permissions.can_coordinate(actor, meeting.group):
        raise NotAllowed()
    return item, meeting, sitting_get(meeting, item.occurrence.original_start)


@transaction.atomic
def agenda_decide(*, item_id: int, actor: User, accept: bool) -> AgendaItem:
    """A coordinator accepts a proposed item (it goes to the end of the agenda) or declines it."""
    item, _meeting, sitting = _locked_item(item_id, actor)
    if item.status != AgendaStatus.PROPOSED:
        raise AlreadyDone(_("This item was decided already."))
    item.decided_by = actor
    item.decided_at = timezone.now()
    if accept:
        item.status = AgendaStatus.ACCEPTED
        item.position = _next_position(item.occurrence)
    else:
        item.status = AgendaStatus.DECLINED
    item.save()
    if accept:
        notifications.agenda_accepted(item=item, sitting=sitting, actor=actor)
    return item


@transaction.atomic
def agenda_move(*, item_id: int, actor: User, offset: int) -> AgendaItem:
    """A coordinator moves an accepted item up (-1) or down (+1) the agenda."""
    item, _meeting, _sitting = _locked_item(item_id, actor)
    if item.status != AgendaStatus.ACCEPTED:
        raise Conflict(_("Only accepted items are ordered."))
    ordered = list(
        item.occurrence.agenda_items.filter(status=AgendaStatus.ACCEPTED).order_by("position", "id")
    )
    index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered, start=1):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])
    item.refresh_from_db()
    return item
