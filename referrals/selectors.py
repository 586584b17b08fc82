"""Reads of cases and referrals, always filtered by what the user may see (in the database)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coordination.models import CoordinationGroup
from organisations.models import Role
from organisations.selectors import memberships_of
from referrals import permissions
from referrals.models import (
    AWAITING_ANSWER,
    CLOSED_STATES,
    IN_CARE,
    AccessLog,
    Case,
    Referral,
    ReferralEvent,
    State,
)

if TYPE_CHECKING:
    from organisations.models import Organisation

INBOX = "inbox"
OUTBOX = "outbox"
MODERATION = "moderation"


def case_list(
    *, user: object, organisation: Organisation | None = None, search: str = ""
) -> QuerySet[Case]:
    # Anonymised rows stay for the statistics only (``referrals.privacy``).
    cases = (
        permissions.case_list_visible(user)
        .filter(anonymised_at__isnull=True)
        .select_related("owner")
    )
    if organisation is not None:
        cases = cases.filter(owner=organisation)
    if search:
        cases = cases.filter(Q(reference__icontains=search) | Q(given_name__icontains=search))
    return cases.order_by("-id")


def _moderation_filter(user: object) -> Q | None:
    """What the user may moderate (``coordination.selectors.moderators_for``, as a condition on
    the two indexed foreign keys): both parties in one same group the user coordinates, the
    sender not one of the user's organisations. None when there is nothing."""
    own = [m.organisation_id for m in memberships_of(user)]
    if not own:
        return None  # coordinator rights end with the last active membership
    members: dict[int, list[int]] = {}
    for group_id, organisation_id in CoordinationGroup.members.through.objects.filter(
        coordinationgroup__coordinators=user
    ).values_list("coordinationgroup_id", "organisation_id"):
        members.setdefault(group_id, []).append(organisation_id)
    condition = None
    for organisation_ids in members.values():
        pair = Q(from_organisation_id__in=organisation_ids, to_organisation_id__in=organisation_ids)
        condition = pair if condition is None else condition | pair
    return condition & ~Q(from_organisation_id__in=own) if condition is not None else None


def referral_list(
    *,
    user: object,
    box: str = "",
    organisation: Organisation | None = None,
    state: str = "",
    urgency: str = "",
    category: str = "",
    overdue: bool | None = None,
    assigned: str = "",
) -> QuerySet[Referral]:
    """Referrals visible to the user, newest first; ``box`` narrows to the inbox or outbox of
    the user's organisations (or of one of them)."""
    if box == MODERATION:
        condition = _moderation_filter(user) if getattr(user, "is_active", False) else None
        if condition is None:
            return Referral.objects.none()
        referrals = Referral.objects.filter(condition, state=State.PENDING_MODERATION)
    else:
        referrals = permissions.referral_list_visible(user)
    organisation_ids = (
        [organisation.pk]
        if organisation is not None
        else [m.organisation_id for m in memberships_of(user)]
    )
    if box == INBOX:
        referrals = referrals.filter(to_organisation_id__in=organisation_ids)
    elif box == OUTBOX:
        referrals = referrals.filter(from_organisation_id__in=organisation_ids)
    if state:
        referrals = referrals.filter(state=state)
    if urgency:
        referrals = referrals.filter(urgency=urgency)
    if category:
        referrals = referrals.filter(service_category=category)
    if assigned == "me":
        referrals = referrals.filter(assignee_id=getattr(user, "pk", None))
    elif assigned == "none":
        referrals = referrals.filter(state__in=IN_CARE, assignee__isnull=True)
    if overdue is True:
        referrals = referrals.overdue()
    elif overdue is False:
        referrals = referrals.exclude(pk__in=Referral.objects.overdue().values("pk"))
    return referrals.select_related(
        "from_organisation", "to_organisation", "assignee", "case", "service"
    ).order_by("-id")


def state_counts(referrals: QuerySet[Referral]) -> dict[str, int]:
    """Counts per state for a box, in one grouped query."""
    rows = referrals.order_by().values("state").annotate(n=Count("id"))
    return {row["state"]: row["n"] for row in rows}


def keyset_page(
    referrals: QuerySet, *, before: int | None, size: int = 25
) -> tuple[list, int | None]:
    """One page by key (id below the cursor), never counting everything."""
    if before:
        referrals = referrals.filter(pk__lt=before)
    rows = list(referrals[: size + 1])
    next_cursor = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], next_cursor


def referral_events(referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor", "actor_organisation")


def case_referrals(case: Case) -> QuerySet[Referral]:
    return case.referrals.select_related("to_organisation", "service").order_by("-id")


def open_duplicate(
    *, case: Case, service_category: str, exclude: int | None = None
) -> Referral | None:
    from referrals.services import referral_duplicates  # noqa: PLC0415

    return referral_duplicates(
        case=case, service_category=service_category, exclude=exclude
    ).first()


def access_log_for(*, user: object, organisation: Organisation) -> QuerySet[AccessLog]:
    """Supervisors see who read their organisation's cases (and through which referral)."""
    is_supervisor = (
        memberships_of(user).filter(organisation=organisation, role=Role.SUPERVISOR).exists()
    )
    if not is_supervisor:
        return AccessLog.objects.none()
    return (
        AccessLog.objects.filter(case__owner=organisation)
        .select_related("user", "case", "referral__to_organisation")
        .order_by("-created_at", "-id")
    )


# The deadline ladder, for the sweeps. Each is one indexed query on (state, <time>).


def referrals_due_for_reminder(*, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """Unanswered at half the response time and not yet reminded."""
    return Referral.objects.filter(
        state__in=AWAITING_ANSWER,
        remind_at__lte=now or timezone.now(),
        reminder_sent_at__isnull=True,
    )


def referrals_due_for_escalation(*, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """Unanswered at the deadline and not yet escalated."""
    return Referral.objects.filter(
        state__in=AWAITING_ANSWER,
        due_at__lte=now or timezone.now(),
        escalation_sent_at__isnull=True,
    )


def referrals_due_for_expiry(*, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """Unanswered at twice the response time."""
    return Referral.objects.filter(state__in=AWAITING_ANSWER, expires_at__lte=now or timezone.now())


def referrals_past_retention(*, before: datetime.datetime) -> QuerySet[Referral]:
    """Ended referrals whose receiver still holds the personal data after the retention period."""
    return Referral.objects.filter(
        state__in=CLOSED_STATES, closed_at__lte=before, shared_data_revoked_at__isnull=True
    )
