"""The referral's state machine through its services: lock, check, fire, record the event."""

from __future__ import annotations

import datetime
import logging
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from config.publish import publish
from coordination import selectors as coordination_selectors
from organisations import selectors as organisation_selectors
from organisations.models import Organisation, Role
from referrals import permissions, selectors
from referrals.exceptions import (
    ConsentMissing,
    InvalidTransition,
    NotAllowed,
    NotVisible,
    ValidationFailed,
)
from referrals.models import (
    IN_CARE,
    SHAREABLE_FIELDS,
    AccessChannel,
    Case,
    DeclineReason,
    EventName,
    Outcome,
    Referral,
    ReferralEvent,
    State,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

from referrals.services.cases import access_record
from referrals.services.common import MIN_JUSTIFICATION, OVERRIDE_FIELDS, _require

logger = logging.getLogger(__name__)


# Referrals: transitions -------------------------------------------------------------------------


def _locked(referral_id: int, actor: User | None) -> Referral:
    """Lock the row for the rest of the transaction; invisible is the same as missing (404)."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "from_organisation", "to_organisation", "service")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise NotVisible()
    if actor is not None and not permissions.can_see(actor, referral):
        raise NotVisible()
    return referral


def _event(
    referral: Referral,
    name: str,
    *,
    actor: User | None,
    from_state: str = "",
    to_state: str = "",
    text: str = "",
    side: Organisation | Literal[True] | None = True,
) -> ReferralEvent:
    """``side``: the organisation the actor spoke for, if the caller knows it already (True:
    work it out from the actor's rights now)."""
    event = ReferralEvent.objects.create(
        referral=referral,
        name=name,
        actor=actor,
        actor_organisation=_side(referral, actor) if side is True else side,
        from_state=from_state,
        to_state=to_state,
        text=text,
    )
    # Notified after commit; if the broker is down, the event sweep catches up.
    transaction.on_commit(partial(_enqueue_event_notify, event.pk))
    return event


def _side(referral: Referral, actor: User | None) -> Organisation | None:
    """The side the actor spoke for, shown in the timeline."""
    if actor is None:
        return None
    if permissions.is_sender(actor, referral):
        return referral.from_organisation
    if permissions.is_receiver(actor, referral):
        return referral.to_organisation
    return None


def _enqueue_event_notify(event_id: int) -> None:
    from referrals.tasks import referral_event_notify_task  # noqa: PLC0415 - tasks import us

    # If the broker is down, the event stays unnotified and the event sweep sends it later.
    publish(referral_event_notify_task, event_id=event_id)


def _fire(
    referral: Referral,
    action: str,
    *,
    actor: User | None,
    event: str,
    text: str = "",
    check_permission: bool = True,
    method: str | None = None,
) -> None:
    """Fire one transition on a locked referral, save it and record the event."""
    bound = getattr(referral, method or action)
    if not can_proceed(bound):
        raise InvalidTransition(referral.get_state_display(), action)
    if check_permission and (actor is None or not has_transition_perm(bound, actor)):
        raise NotAllowed()
    source = referral.state
    # The side the actor acts for, read with the rights they act with (the transition may change
    # the grants, and reading them again afterwards cost a query per transition).
    side = _side(referral, actor)
    bound(now=timezone.now())
    try:
        # Its own savepoint: a lost race must not break the caller's transaction.
        with transaction.atomic():
            referral.save()
    except ConcurrentTransition:
        raise InvalidTransition(source, action) from None
    permissions.forget_cached_permissions(referral)
    _event(
        referral,
        event,
        actor=actor,
        from_state=source,
        to_state=referral.state,
        text=text,
        side=side,
    )


@transaction.atomic
def referral_submit(
    *, referral_id: int, actor: User, override_justification: str = "", comment: str = ""
) -> Referral:
    """The sender submits a draft.

    An active consent for the recipient decides which case fields are copied into
    ``shared_data``; without one, only a supervisor of the sender may override in an emergency,
    with a written justification that is logged and shown on the referral. A sender that is
    neither verified nor trusted goes through moderation first.
    """
    referral = _locked(referral_id, actor)
    if referral.state != State.DRAFT:
        raise InvalidTransition(referral.get_state_display(), "submit")
    if not permissions.can_fire(actor, referral, "submit"):
        raise NotAllowed()
    consent = selectors.active_consent(case=referral.case, recipient=referral.to_organisation)
    justification = (override_justification or "").strip()
    if consent is not None:
        shared_fields: Iterable[str] = consent.fields
        referral.consent = consent
    elif justification:
        if not organisation_selectors.is_active_member(
            actor, referral.from_organisation, (Role.SUPERVISOR,)
        ):
            raise NotAllowed(_("Only a supervisor may override consent."))
        _require(
            len(justification) >= MIN_JUSTIFICATION,
            _("Explain the emergency in at least %(n)d characters.") % {"n": MIN_JUSTIFICATION},
            field="override_justification",
        )
        shared_fields = OVERRIDE_FIELDS
        referral.override_justification = justification
        referral.override_by = actor
    else:
        raise ConsentMissing(field="consent")
    referral.shared_data = snapshot(referral.case, shared_fields)

    sender = referral.from_organisation
    trusted = sender.is_verified or sender.is_trusted
    if (
        not trusted
        and not coordination_selectors.moderators_for(
            sender=sender, receiver=referral.to_organisation
        ).exists()
    ):
        raise ValidationFailed(
            _(
                "Your organisation is not verified yet and no coordination group holds both "
                "organisations, so nobody can moderate this referral. Ask a platform "
                "administrator to verify your organisation."
            ),
            field="to_organisation",
        )
    if trusted:
        _fire(referral, "submit", actor=actor, event=EventName.SUBMITTED, text=comment)
        permissions.referral_grant_receiver(referral)
    else:
        _fire(
            referral,
            "submit",
            actor=actor,
            event=EventName.SENT_TO_MODERATION,
            text=comment,
            method="submit_for_moderation",
        )
    if referral.override_by_id:
        _event(referral, EventName.OVERRIDE, actor=actor, text=justification)
    return referral


def snapshot(case: Case, fields: Iterable[str]) -> dict[str, Any]:
    """The consented fields of the case as they are now; the reference code always."""
    data: dict[str, Any] = {"reference": case.reference}
    for name in fields:
        if name == "nationality":
            # A django-countries Country (typed as str by the field's stubs).
            data[name] = case.nationality.code or case.nationality_other  # type: ignore[attr-defined]
        elif name in SHAREABLE_FIELDS:
            data[name] = getattr(case, name)
    return data


@transaction.atomic
def referral_approve(*, referral_id: int, actor: User, note: str = "") -> Referral:
    """A coordinator of a group both organisations belong to lets the referral through."""
    referral = _locked(referral_id, actor)
    _fire(referral, "approve", actor=actor, event=EventName.APPROVED, text=note)
    referral.moderation_note = note
    referral.save(update_fields=["moderation_note"])
    permissions.referral_grant_receiver(referral)
    return referral


@transaction.atomic
def referral_reject(*, referral_id: int, actor: User, reason: str) -> Referral:
    """A coordinator stops the referral, with a reason the sender sees."""
    referral = _locked(referral_id, actor)
    if can_proceed(referral.reject):
        _require(bool((reason or "").strip()), _("Give a reason."), field="reason")
    _fire(referral, "reject", actor=actor, event=EventName.REJECTED, text=reason)
    referral.moderation_note = reason.strip()
    referral.save(update_fields=["moderation_note"])
    return referral


def referral_open(*, referral_id: int, actor: User, channel: str = AccessChannel.WEB) -> Referral:
    """Read one referral: traced, and acknowledged when the receiver first opens it.

    Reads take no lock; only the first opening by the receiver locks the row to acknowledge.
    """
    referral = (
        Referral.objects.select_related("case", "from_organisation", "to_organisation", "service")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or not permissions.can_see(actor, referral):
        raise NotVisible()
    with transaction.atomic():
        if referral.state == State.SUBMITTED and permissions.is_receiver(actor, referral):
            referral = _locked(referral_id, actor)
            if referral.state == State.SUBMITTED:  # someone else may have opened it meanwhile
                _fire(referral, "acknowledge", actor=actor, event=EventName.ACKNOWLEDGED)
        if permissions.can_view_shared_data(actor, referral):
            access_record(user=actor, referrals=[referral], channel=channel)
    return referral


def _receiving_member(user: User | None, referral: Referral) -> bool:
    return (
        user is not None
        and selectors.assignable_staff(referral.to_organisation).filter(pk=user.pk).exists()
    )


@transaction.atomic
def referral_accept(
    *, referral_id: int, actor: User, assignee: User | None = None, comment: str = ""
) -> Referral:
    """The receiving organisation takes the case; the acceptor is the assignee unless a
    supervisor names another member."""
    referral = _locked(referral_id, actor)
    if assignee is not None and assignee.pk != actor.pk and can_proceed(referral.accept):
        if not permissions.is_receiving_supervisor(actor, referral):
            raise NotAllowed(_("Only a supervisor assigns someone else."))
        _require(
            _receiving_member(assignee, referral),
            _("The assignee must be a member of the receiving organisation."),
            field="assignee",
        )
    _fire(referral, "accept", actor=actor, event=EventName.ACCEPTED, text=comment)
    referral.assignee = assignee or actor
    referral.save(update_fields=["assignee"])
    if referral.assignee_id != actor.pk:
        # The supervisor named someone else: they hear of it through the "assigned" event.
        _event(
            referral,
            EventName.ASSIGNED,
            actor=actor,
            text=referral.assignee.get_full_name() or referral.assignee.username,
        )
    return referral


@transaction.atomic
def referral_assign(*, referral_id: int, actor: User, assignee: User) -> Referral:
    """A supervisor of the receiving organisation hands the referral to another member."""
    referral = _locked(referral_id, actor)
    if not permissions.is_receiving_supervisor(actor, referral):
        raise NotAllowed()
    if referral.state not in IN_CARE:
        raise InvalidTransition(referral.get_state_display(), _("assign"))
    _require(
        _receiving_member(assignee, referral),
        _("The assignee must be a member of the receiving organisation."),
        field="assignee",
    )
    referral.assignee = assignee
    referral.save(update_fields=["assignee", "updated_at"])
    _event(
        referral,
        EventName.ASSIGNED,
        actor=actor,
        text=assignee.get_full_name() or assignee.username,
    )
    return referral


@transaction.atomic
def referral_decline(
    *,
    referral_id: int,
    actor: User,
    reason: str,
    note: str = "",
    suggested_organisation: Organisation | None = None,
) -> Referral:
    """The receiving organisation says no, with a coded reason, and may suggest another."""
    referral = _locked(referral_id, actor)
    if can_proceed(referral.decline) and has_transition_perm(referral.decline, actor):
        _require(reason in DeclineReason.values, _("Choose a reason."), field="reason")
        # A coded reason plus a note (DESIGN): the sender needs words to act on a refusal.
        _require(bool((note or "").strip()), _("Explain the reason."), field="note")
        if suggested_organisation is not None:
            _require(
                suggested_organisation.is_active
                and suggested_organisation.pk
                not in (referral.from_organisation_id, referral.to_organisation_id),
                _("Suggest a third, active organisation."),
                field="suggested_organisation",
            )
    _fire(referral, "decline", actor=actor, event=EventName.DECLINED, text=note)
    referral.decline_reason = reason
    referral.decline_note = note.strip()
    referral.suggested_organisation = suggested_organisation
    referral.save(update_fields=["decline_reason", "decline_note", "suggested_organisation"])
    permissions.referral_revoke_receiver_actions(referral)
    return referral


@transaction.atomic
def referral_start(*, referral_id: int, actor: User, comment: str = "") -> Referral:
    referral = _locked(referral_id, actor)
    _fire(referral, "start", actor=actor, event=EventName.STARTED, text=comment)
    return referral


@transaction.atomic
def referral_hold(
    *, referral_id: int, actor: User, expected_date: datetime.date | None, comment: str = ""
) -> Referral:
    """Waiting list: the receiver says when it expects to resume."""
    referral = _locked(referral_id, actor)
    if can_proceed(referral.hold) and has_transition_perm(referral.hold, actor):
        _require(expected_date is not None, _("Give the expected date."), field="expected_date")
        _require(
            expected_date is not None and expected_date >= timezone.localdate(),
            _("The expected date cannot be in the past."),
            field="expected_date",
        )
    _fire(referral, "hold", actor=actor, event=EventName.PUT_ON_HOLD, text=comment)
    referral.expected_date = expected_date
    referral.save(update_fields=["expected_date"])
    return referral


@transaction.atomic
def referral_resume(*, referral_id: int, actor: User, comment: str = "") -> Referral:
    referral = _locked(referral_id, actor)
    _fire(referral, "resume", actor=actor, event=EventName.RESUMED, text=comment)
    return referral


@transaction.atomic
def referral_complete(*, referral_id: int, actor: User, outcome: str, note: str) -> Referral:
    """The receiver records the outcome; it closes the loop to the sender."""
    referral = _locked(referral_id, actor)
    if can_proceed(referral.complete) and has_transition_perm(referral.complete, actor):
        _require(outcome in Outcome.values, _("Choose the outcome."), field="outcome")
        _require(bool((note or "").strip()), _("Describe the outcome."), field="note")
    _fire(referral, "complete", actor=actor, event=EventName.COMPLETED, text=note)
    referral.outcome = outcome
    referral.outcome_note = note.strip()
    referral.save(update_fields=["outcome", "outcome_note"])
    permissions.referral_revoke_receiver_actions(referral)
    return referral


@transaction.atomic
def referral_withdraw(*, referral_id: int, actor: User, reason: str) -> Referral:
    """The sender calls the referral back; the receiver loses the personal data at once."""
    referral = _locked(referral_id, actor)
    if can_proceed(referral.withdraw) and has_transition_perm(referral.withdraw, actor):
        _require(bool((reason or "").strip()), _("Give a reason."), field="reason")
    _fire(referral, "withdraw", actor=actor, event=EventName.WITHDRAWN, text=reason)
    referral.withdraw_reason = reason.strip()
    _revoke_receiver_now(referral)
    referral.save(update_fields=["withdraw_reason", "shared_data_revoked_at"])
    return referral


@transaction.atomic
def referral_withdraw_for_erasure(*, referral_id: int, actor: User) -> Referral:
    """The person asked for erasure (``privacy.case_erase``, which checked the actor's right):
    the referral is called back whoever sent it, and the receiver loses the data at once."""
    referral = _locked(referral_id, None)
    _fire(referral, "withdraw", actor=actor, event=EventName.WITHDRAWN, check_permission=False)
    _revoke_receiver_now(referral)
    referral.save(update_fields=["shared_data_revoked_at"])
    return referral


def _revoke_receiver_now(referral: Referral) -> None:
    """Withdrawal (by the sender, or of consent): the receiver loses the data at once."""
    referral.shared_data_revoked_at = timezone.now()
    permissions.referral_revoke_receiver_shared_data(referral)
    permissions.referral_revoke_receiver_actions(referral)


@transaction.atomic
def referral_comment(*, referral_id: int, actor: User, text: str) -> ReferralEvent:
    """Either side writes in the timeline while it still reads it (``can_comment``)."""
    referral = _locked(referral_id, actor)
    if not permissions.can_see(actor, referral):
        raise NotVisible()
    if not permissions.can_comment(actor, referral):
        raise NotAllowed(_("You can no longer write on this referral."))
    _require(bool((text or "").strip()), _("Write a comment."), field="comment")
    return _event(referral, EventName.COMMENTED, actor=actor, text=text.strip())
