"""Who hears of each referral event, and what they are told (never personal data).

Recipients follow the permissions: the receiving organisation hears of a referral only once it
may see it; coordinators hear of an escalation without a link they could not open.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination import selectors as coordination_selectors
from notifications import kinds
from notifications.services import Message, notify
from organisations.models import Organisation, Role
from referrals.models import EventName, Referral, ReferralEvent, State

CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)
TEMPLATE = "referrals/notifications/event"

KINDS = {
    "referral.incoming": (_("A referral arrives for my organisation"), True),
    "referral.moderation": (_("A referral awaits my moderation"), True),
    "referral.answered": (_("A referral I sent is answered or closed"), True),
    "referral.comment": (_("A comment on a referral"), False),
    "referral.assigned": (_("A referral is assigned to me"), True),
    "referral.deadline": (_("Reminders and escalations of unanswered referrals"), True),
}


def register_kinds() -> None:
    for code, (label, email) in KINDS.items():
        kinds.register(code, label, email_by_default=email)


def _staff(organisation: Organisation, roles: tuple[str, ...] = CASE_ROLES):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__organisation__is_active=True,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
    )


def _sender_people(referral: Referral) -> list:
    """The caseworker who made the referral, or the sender's supervisors if they left."""
    creator = referral.created_by
    if creator is not None and _staff(referral.from_organisation).filter(pk=creator.pk).exists():
        return [creator]
    return list(_staff(referral.from_organisation, (Role.SUPERVISOR,)))


def _receiver_people(referral: Referral) -> list:
    if referral.assignee_id and referral.state in (
        State.ACCEPTED,
        State.IN_PROGRESS,
        State.ON_HOLD,
    ):
        return [referral.assignee]
    return list(_staff(referral.to_organisation))


def recipients_for(event: ReferralEvent) -> list[tuple[str, list, bool]]:  # noqa: PLR0911
    """(kind, people, with link) for an event."""
    referral = event.referral
    name = event.name
    sent_to_receiver = event.from_state not in ("", State.DRAFT, State.PENDING_MODERATION)
    if name in (EventName.SUBMITTED, EventName.APPROVED):
        groups = [("referral.incoming", list(_staff(referral.to_organisation)), True)]
        if name == EventName.APPROVED:
            groups.append(("referral.answered", _sender_people(referral), True))
        return groups
    if name == EventName.SENT_TO_MODERATION:
        coordinators = coordination_selectors.moderators_for(
            sender=referral.from_organisation, receiver=referral.to_organisation
        )
        return [("referral.moderation", list(coordinators), True)]
    if name in (
        EventName.REJECTED,
        EventName.ACKNOWLEDGED,
        EventName.ACCEPTED,
        EventName.DECLINED,
        EventName.PUT_ON_HOLD,
        EventName.RESUMED,
        EventName.COMPLETED,
    ):
        return [("referral.answered", _sender_people(referral), True)]
    if name == EventName.WITHDRAWN and sent_to_receiver:
        return [("referral.answered", list(_staff(referral.to_organisation)), True)]
    if name == EventName.EXPIRED:
        return [
            ("referral.answered", _sender_people(referral), True),
            ("referral.deadline", list(_staff(referral.to_organisation, (Role.SUPERVISOR,))), True),
        ]
    if name == EventName.ASSIGNED and referral.assignee_id:
        return [("referral.assigned", [referral.assignee], True)]
    if name == EventName.COMMENTED and event.actor_id:
        if event.actor_organisation_id == referral.to_organisation_id:
            return [("referral.comment", _sender_people(referral), True)]
        if referral.state not in (State.DRAFT, State.PENDING_MODERATION):
            return [("referral.comment", _receiver_people(referral), True)]
        return []
    if name == EventName.REMINDED:
        return [("referral.deadline", _receiver_people(referral), True)]
    if name == EventName.ESCALATED:
        coordinators = coordination_selectors.coordinators_of(organisation=referral.to_organisation)
        return [
            ("referral.deadline", list(_staff(referral.to_organisation, (Role.SUPERVISOR,))), True),
            ("referral.deadline", list(coordinators), False),
            ("referral.deadline", _sender_people(referral), True),
        ]
    return []


def event_notify(*, event_id: int) -> bool:
    """Notify the people concerned by one event, once: the event row is locked and marked in
    the same transaction as the notifications, so a crash leaves it for the sweep."""
    with transaction.atomic():
        event = (
            ReferralEvent.objects.select_for_update(of=("self",))
            .select_related(
                "referral__from_organisation",
                "referral__to_organisation",
                "referral__created_by",
                "referral__assignee",
                "actor",
            )
            .filter(pk=event_id, notified_at__isnull=True)
            .first()
        )
        if event is None:
            return False
        referral = event.referral
        link = reverse("referrals:detail", args=[referral.pk])
        # Each person hears of an event once, through the first group that names them (a
        # receiving supervisor who also coordinates gets the notice with the link, not both).
        told = {event.actor_id}
        for kind, people, with_link in recipients_for(event):
            recipients = [p for p in people if p.pk not in told]
            told.update(p.pk for p in recipients)
            notify(
                recipients=recipients,
                message=Message(
                    kind=kind,
                    key=f"referral-event:{event.pk}:{kind}:{'link' if with_link else 'plain'}",
                    template=TEMPLATE,
                    url=link if with_link else "",
                    context={"event": event, "referral": referral},
                ),
            )
        ReferralEvent.objects.filter(pk=event.pk).update(notified_at=timezone.now())
    return True
