"""What the deadline and retention sweeps do to one referral, claimed: two sweeps do it once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from referrals import permissions
from referrals.models import (
    CLOSED_STATES,
    EventName,
    Referral,
    State,
)

if TYPE_CHECKING:
    pass

from referrals.services.transitions import _event, _fire, _locked


@transaction.atomic
def referral_expire(*, referral_id: int) -> Referral | None:
    """The system closes a referral nobody answered by twice its response time."""
    referral = _locked(referral_id, None)
    if not can_proceed(referral.expire):
        return None
    _fire(referral, "expire", actor=None, event=EventName.EXPIRED, check_permission=False)
    permissions.referral_revoke_receiver_actions(referral)
    return referral


@transaction.atomic
def referral_end_retention(*, referral_id: int) -> bool:
    """After the retention period the receiver keeps the outcome, not the personal data.

    Claims the row with a conditional update so that two sweeps never do it twice.
    """
    claimed = Referral.objects.filter(
        pk=referral_id, state__in=CLOSED_STATES, shared_data_revoked_at__isnull=True
    ).update(shared_data_revoked_at=timezone.now())
    if claimed != 1:
        return False
    referral = Referral.objects.select_related("to_organisation").get(pk=referral_id)
    permissions.referral_revoke_receiver_shared_data(referral)
    _event(referral, EventName.ACCESS_REVOKED, actor=None)
    return True


@transaction.atomic
def referral_deadline_step(*, referral_id: int, step: str) -> bool:
    """Claim one rung of the deadline ladder (``reminder`` or ``escalation``) and log it.

    The conditional update claims the rung: two sweeps running at once record it once.
    """
    field = {"reminder": "reminder_sent_at", "escalation": "escalation_sent_at"}[step]
    claimed = Referral.objects.filter(
        pk=referral_id,
        state__in=(State.SUBMITTED, State.ACKNOWLEDGED),
        **{f"{field}__isnull": True},
    ).update(**{field: timezone.now()})
    if claimed != 1:
        return False
    referral = Referral.objects.get(pk=referral_id)
    name = EventName.REMINDED if step == "reminder" else EventName.ESCALATED
    _event(referral, name, actor=None, from_state=referral.state, to_state=referral.state)
    return True
