"""Who hears of each referral event, and what they are told (never personal data).

Recipients follow the permissions: the receiving organisation hears of a referral only once it
may see it; coordinators hear of an escalation without a link they could not open.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination import selectors as coordination_selectors
from notifications import kinds
from notifications.services import Message, notify
from organisations.models import CASE_ROLES, Membership, Organisation, Role
from referrals.models import EventName, IncomingDigest, Referral, ReferralEvent, State, Urgency

TEMPLATE = "referrals/notifications/event"

KINDS = {
    "referral.incoming": (_("A referral arrives for my organisation"), True),
    "referral.moderation": (_("A referral awaits my moderation"), True),
    "referral.answered": (_("A referral I sent is answered or closed"), True),
    "referral.comment": (_("A comment on a referral"), False),
    "referral.assigned": (_("A referral is assigned to me"), True),
    "referral.deadline": (_("Reminders and escalations of unanswered referrals"), True),
}
DIGEST = "referral.digest"


def register_kinds() -> None:
    for code, (label, email) in KINDS.items():
        kinds.register(code, label, email_by_default=email)
    kinds.register(
        DIGEST,
        _("A morning summary of the referrals that arrived while the intake team handled them"),
        silenceable=True,
    )


def _staff(organisation: Organisation, roles: tuple[str, ...] = CASE_ROLES, **membership: object):
    """Active people with an active membership of one of ``roles`` (and ``membership``'s other
    conditions, on the same membership) in the organisation."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__organisation__is_active=True,
            memberships__is_active=True,
            memberships__role__in=roles,
            **{f"memberships__{name}": value for name, value in membership.items()},
        )
        .distinct()
    )


def _intake_team(organisation: Organisation):
    return _staff(organisation, intake=True)


def _incoming_people(organisation: Organisation) -> list:
    """Who is told at once of a referral that arrives: the intake team, or, in an organisation
    that has none, every caseworker and supervisor (the others read the daily summary)."""
    return list(_intake_team(organisation)) or list(_staff(organisation))


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
    return _incoming_people(referral.to_organisation)


def recipients_for(event: ReferralEvent) -> list[tuple[str, list, bool]]:  # noqa: PLR0911
    """(kind, people, with link) for an event."""
    referral = event.referral
    name = event.name
    sent_to_receiver = event.from_state not in ("", State.DRAFT, State.PENDING_MODERATION)
    if name in (EventName.SUBMITTED, EventName.APPROVED):
        groups = [("referral.incoming", _incoming_people(referral.to_organisation), True)]
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
        people = [referral.assignee] if referral.assignee_id else None
        return [("referral.answered", people or _incoming_people(referral.to_organisation), True)]
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


# The daily summary ------------------------------------------------------------------------------

# The summary of a day's arrivals is due the next morning at this hour (the site's time zone).
DIGEST_HOUR = 7
ARRIVALS = (EventName.SUBMITTED, EventName.APPROVED)


def digest_days(now: datetime.datetime) -> list[datetime.date]:
    """The days whose summary is due by ``now``: the last one, and the one before (a morning
    the beat missed is caught up; each summary is sent once whatever the number of runs)."""
    local = timezone.localtime(now)
    last = local.date() - datetime.timedelta(days=1 if local.hour >= DIGEST_HOUR else 2)
    return [last - datetime.timedelta(days=1), last]


def incoming_digests_send(*, now: datetime.datetime | None = None) -> int:
    """For each organisation with an intake team, the count of the referrals that arrived on a
    day, told once to its other caseworkers and supervisors. Returns the summaries sent."""
    now = now or timezone.now()
    with_team = Membership.objects.active().filter(intake=True).values("organisation_id")
    sent = 0
    for day in digest_days(now):
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        end = timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        )
        done = IncomingDigest.objects.filter(day=day).values("organisation_id")
        arrivals = (
            ReferralEvent.objects.filter(
                name__in=ARRIVALS, created_at__gte=start, created_at__lt=end
            )
            .filter(referral__to_organisation__in=with_team)
            .exclude(referral__to_organisation__in=done)
            .values("referral__to_organisation", "referral__urgency")
            .annotate(n=Count("referral", distinct=True))
        )
        by_organisation: dict[int, dict[str, int]] = {}
        for row in arrivals:
            counts = by_organisation.setdefault(row["referral__to_organisation"], {})
            counts[row["referral__urgency"]] = row["n"]
        for organisation in Organisation.objects.filter(pk__in=by_organisation):
            sent += _digest_send(organisation, day, by_organisation[organisation.pk])
    return sent


def _digest_send(organisation: Organisation, day: datetime.date, counts: dict[str, int]) -> bool:
    team = set(_intake_team(organisation).values_list("pk", flat=True))
    readers = [person for person in _staff(organisation) if person.pk not in team]
    try:
        with transaction.atomic():
            IncomingDigest.objects.create(
                organisation=organisation,
                day=day,
                arrivals=sum(counts.values()),
                recipients=len(readers),
            )
            notify(
                recipients=readers,
                message=Message(
                    kind=DIGEST,
                    key=f"referral-digest:{organisation.pk}:{day.isoformat()}",
                    template="referrals/notifications/digest",
                    url=f"{reverse('referrals:list')}?box=inbox",
                    context={
                        "organisation": organisation,
                        "day": day,
                        "total": sum(counts.values()),
                        "urgencies": [
                            (label, counts[value])
                            for value, label in Urgency.choices
                            if counts.get(value)
                        ],
                    },
                ),
            )
    except IntegrityError:
        return False  # another run sent it first
    return True
