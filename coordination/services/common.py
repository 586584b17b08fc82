"""Helpers shared by the coordination services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from coordination import permissions
from coordination.exceptions import (
    NotAllowed,
    NotVisible,
    ValidationFailed,
)
from coordination.models import (
    CoordinationGroup,
)
from organisations.models import Organisation
from organisations.selectors import memberships_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def require(condition: bool, message: str, *, field: str | None = None) -> None:
    if not condition:
        raise ValidationFailed(message, field=field)


def full_clean(obj: Any, *, exclude: Iterable[str] = ()) -> None:
    """Model validation as a typed error naming the first field at fault.

    Single-line fields (titles, names, places) are made one line first: a line break there
    would break the calendars, subjects and headers they end up in."""
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname, None)
        if type(field) is models.CharField and isinstance(value, str):
            setattr(obj, field.attname, " ".join(value.split()))
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ValidationFailed(messages[0], field=None if field == "__all__" else field) from None


def member_organisations_of(user: User, group: CoordinationGroup) -> list[Organisation]:
    """The user's organisations (active memberships) that are members of the group."""
    member_ids = set(group.members.values_list("pk", flat=True))
    return [m.organisation for m in memberships_of(user) if m.organisation_id in member_ids]


def visible_group(actor: User, group_id: int, *, lock: bool = False) -> CoordinationGroup:
    groups = CoordinationGroup.objects.select_related("convening_organisation")
    if lock:
        groups = groups.select_for_update(of=("self",))
    group = groups.filter(pk=group_id).first()
    if group is None or not permissions.can_view(actor, group):
        raise NotVisible()
    return group


def coordinated_group(actor: User, group_id: int, *, lock: bool = False) -> CoordinationGroup:
    group = visible_group(actor, group_id, lock=lock)
    if not permissions.can_coordinate(actor, group):
        raise NotAllowed()
    return group


def check_activity(group: CoordinationGroup, activity: Any) -> None:
    """An activity linked from a meeting belongs to one of the group's plans."""
    if activity is not None:
        require(
            activity.plan.group_id == group.pk,
            _("Choose an activity of one of the group's plans."),
            field="activity",
        )


def check_plan(group: CoordinationGroup, plan: Any) -> None:
    if plan is not None:
        require(
            plan.group_id == group.pk, _("Choose one of the group's plans."), field="reviews_plan"
        )
