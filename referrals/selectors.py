"""Reads of cases and referrals, always filtered by what the user may see (in the database)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config.pagination import ids_first
from config.planner import row_by_row
from coordination.models import CoordinationGroup
from organisations import names
from organisations.models import CapacityStatus, Role, UnlistedOrganisation
from organisations.selectors import memberships_of
from referrals import permissions
from referrals.models import (
    AWAITING_ANSWER,
    CLOSED_STATES,
    IN_CARE,
    OPEN_STATES,
    AccessLog,
    Case,
    Consent,
    ExternalReferral,
    Referral,
    ReferralEvent,
    ReferralQuerySet,
    State,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

    from config.types import Actor
    from organisations.models import Membership, Organisation, Service

INBOX = "inbox"
OUTBOX = "outbox"
MODERATION = "moderation"


def case_list(
    *, user: Actor, organisation: Organisation | None = None, search: str = ""
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
        cases = case_search(cases, search)
    return cases.order_by("-id")


def case_search(cases: QuerySet[Case], search: str) -> QuerySet[Case]:
    """By the reference the person holds, or the given name."""
    return cases.filter(Q(reference__icontains=search) | Q(given_name__icontains=search))


def _moderation_filter(user: Actor, memberships: Iterable[Membership] | None = None) -> Q | None:
    """What the user may moderate (``coordination.selectors.moderators_for``, as a condition on
    the two indexed foreign keys): both parties in one same group the user coordinates, the
    sender not one of the user's organisations. None when there is nothing."""
    if not user.is_authenticated:
        return None
    own = [
        m.organisation_id for m in (memberships_of(user) if memberships is None else memberships)
    ]
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
    user: Actor,
    box: str = "",
    organisation: Organisation | None = None,
    state: str = "",
    urgency: str = "",
    category: str = "",
    overdue: bool | None = None,
    assigned: str = "",
    memberships: Iterable[Membership] | None = None,
) -> QuerySet[Referral]:
    """Referrals visible to the user, newest first; ``box`` narrows to the inbox or outbox of
    the user's organisations (or of one of them). ``memberships``: the user's active ones, if
    the caller has them already (a page's ``request.current``)."""
    if memberships is None:
        memberships = list(memberships_of(user)) if box in (INBOX, OUTBOX, MODERATION) else []
    if box == MODERATION:
        condition = (
            _moderation_filter(user, memberships) if getattr(user, "is_active", False) else None
        )
        if condition is None:
            return Referral.objects.none()
        referrals = Referral.objects.filter(condition, state=State.PENDING_MODERATION)
    else:
        referrals = permissions.referral_list_visible(user)
    organisation_ids = (
        [organisation.pk] if organisation is not None else [m.organisation_id for m in memberships]
    )
    if box == INBOX:
        referrals = referrals.filter(to_organisation_id__in=organisation_ids)
    elif box == OUTBOX:
        referrals = referrals.filter(from_organisation_id__in=organisation_ids)
    return referral_filter(
        referrals,
        user=user,
        state=state,
        urgency=urgency,
        category=category,
        overdue=overdue,
        assigned=assigned,
    )


def referral_filter(
    referrals: ReferralQuerySet,
    *,
    user: Actor,
    state: str = "",
    urgency: str = "",
    category: str = "",
    overdue: bool | None = None,
    assigned: str = "",
) -> QuerySet[Referral]:
    """A box (``referral_list``) narrowed by the list's filters, newest first."""
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
    return for_lists(referrals).order_by("-id")


def for_lists(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """What a list shows of each referral: its own columns, and of the related rows only the
    names and the case reference (the organisations, the case and the service are wide rows:
    reading and building them whole was two thirds of a page's time). The assignee and the
    service are shown by id."""
    own = [field.name for field in Referral._meta.concrete_fields]
    return referrals.select_related("from_organisation", "to_organisation", "case").only(
        *own, "from_organisation__name", "to_organisation__name", "case__reference"
    )


# A box's per-state counts stop here ("100+"): enough to know where the work is, and each count
# costs at most this many permission probes, however large the box (issue 13).
COUNT_CAP = 100


def state_counts(referrals: QuerySet[Referral], states: Iterable[str]) -> dict[str, int]:
    """How many of ``referrals`` are in each of ``states``, each count stopping at
    ``COUNT_CAP + 1`` (more than the cap shows as "100+"); in one query, whose cost is bounded
    by the cap rather than by the box (a grouped count probed every open referral's grants:
    35 ms for a municipality's 9,000, issue 13). States with none are left out."""
    states = list(states)
    if not states:
        return {}
    connection = connections[referrals.db]
    # Compiled once (the ORM takes longer over seven queries than the database does), with a
    # marker where the state goes; each count gets its own state in its copy of the parameters.
    marker = "\x00state"  # no state is named so
    sliced = referrals.filter(state=marker).order_by().values("pk")[: COUNT_CAP + 1]
    try:
        sql, template = sliced.query.sql_with_params()
    except EmptyResultSet:  # a box that cannot hold anything (``none()``)
        return {}
    count = f"(SELECT COUNT(*) FROM ({sql}) capped)"  # noqa: S608  # compiled by the ORM  # nosec B608
    parts = [count] * len(states)
    params = [state if value == marker else value for state in states for value in template]
    # Each count walks its state's index and probes each row's grant, stopping at the cap.
    with row_by_row(referrals.db), connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return {state: n for state, n in zip(states, row, strict=True) if n}


def keyset_page(
    referrals: QuerySet, *, before: int | None, size: int = 25
) -> tuple[list, int | None]:
    """One page by key (id below the cursor), never counting everything."""
    if before:
        referrals = referrals.filter(pk__lt=before)
    rows = list(ids_first(referrals)[: size + 1])
    next_cursor = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], next_cursor


def referral_events(referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor", "actor_organisation")


def case_referrals(case: Case) -> QuerySet[Referral]:
    return case.referrals.select_related("to_organisation", "service").order_by("-id")


def active_consent(*, case: Case, recipient: Organisation) -> Consent | None:
    """The person's consent that covers this recipient now (the latest, if several)."""
    return (
        Consent.objects.active()
        .filter(case=case, recipient=recipient)
        .order_by("-given_at")
        .first()
    )


def referral_duplicates(
    *, case: Case, service_category: str, exclude: int | None = None
) -> QuerySet[Referral]:
    """Open referrals of the case for the same category: the duplicate warning points to them."""
    duplicates = Referral.objects.filter(
        case=case, service_category=service_category, state__in=OPEN_STATES
    ).select_related("to_organisation")
    return duplicates.exclude(pk=exclude) if exclude else duplicates


@dataclass(frozen=True)
class ReferralWarning:
    """Something the sender should know before sending; it never blocks the referral."""

    code: str  # "duplicate" or "service_full"
    message: str
    referral: int | None = None


def referral_warnings(
    *, case: Case, service_category: str, service: Service | None = None, exclude: int | None = None
) -> list[ReferralWarning]:
    """What the web asks the sender to confirm and the API returns with the new referral: an
    open referral of the case for the same category, a chosen service that says it is full."""
    warnings = []
    duplicate = referral_duplicates(
        case=case, service_category=service_category, exclude=exclude
    ).first()
    if duplicate is not None:
        warnings.append(
            ReferralWarning(
                code="duplicate",
                message=_(
                    "This case already has an open referral for this service (#%(id)s to "
                    "%(organisation)s)."
                )
                % {
                    "id": duplicate.pk,
                    "organisation": names.isolate(duplicate.to_organisation.name),
                },
                referral=duplicate.pk,
            )
        )
    if service is not None and service.capacity_status == CapacityStatus.FULL:
        warnings.append(
            ReferralWarning(
                code="service_full",
                message=_("The chosen service says it is full: expect a waiting list."),
            )
        )
    return warnings


def access_log_for(*, user: Actor, organisation: Organisation) -> QuerySet[AccessLog]:
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


# The deadline ladder, for the sweeps. Each reads the oldest due rows first, along its own
# (state, <time>) index: the model's default order (newest id first) with a LIMIT made PostgreSQL
# walk the whole primary key looking for them (0.3 to 5.8 s at a million referrals, issue 13).


def referrals_due_for_reminder(*, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """Unanswered at half the response time and not yet reminded."""
    return Referral.objects.filter(
        state__in=AWAITING_ANSWER,
        remind_at__lte=now or timezone.now(),
        reminder_sent_at__isnull=True,
    ).order_by("remind_at")


def referrals_due_for_escalation(*, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """Unanswered at the deadline and not yet escalated."""
    return Referral.objects.filter(
        state__in=AWAITING_ANSWER,
        due_at__lte=now or timezone.now(),
        escalation_sent_at__isnull=True,
    ).order_by("due_at")


def referrals_due_for_expiry(*, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """Unanswered at twice the response time."""
    return Referral.objects.filter(
        state__in=AWAITING_ANSWER, expires_at__lte=now or timezone.now()
    ).order_by("expires_at")


def referrals_past_retention(*, before: datetime.datetime) -> QuerySet[Referral]:
    """Ended referrals whose receiver still holds the personal data after the retention period."""
    return Referral.objects.filter(
        state__in=CLOSED_STATES, closed_at__lte=before, shared_data_revoked_at__isnull=True
    ).order_by("closed_at")


def assignable_staff(organisation: Organisation) -> QuerySet[User]:
    """Who a referral received by this organisation may be assigned to: its active caseworkers
    and supervisors (the accept and assign forms list them; the services check it)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__is_active=True,
            memberships__role__in=[Role.CASEWORKER, Role.SUPERVISOR],
        )
        .distinct()
        .order_by("first_name", "username")
    )


# Referrals off the platform ---------------------------------------------------------------------


def case_external_referrals(case: Case) -> QuerySet[ExternalReferral]:
    return case.external_referrals.select_related("recipient", "recipient__merged_into").order_by(
        "-created_at", "-id"
    )


def unlisted_offered(case: Case) -> QuerySet[UnlistedOrganisation]:
    """The organisations off the platform a caseworker may choose: those saved in the directory,
    and those the case's organisation recorded; never one merged into a member (refer to it)."""
    return UnlistedOrganisation.objects.filter(
        Q(in_directory=True) | Q(recorded_by=case.owner), merged_into__isnull=True
    ).order_by("name", "id")


def external_referral_get(*, user: Actor, pk: int) -> ExternalReferral | None:
    """Only the case's own organisation sees its referrals off the platform (None otherwise)."""
    referral = (
        ExternalReferral.objects.select_related(
            "case", "case__owner", "recipient", "recipient__merged_into", "from_organisation"
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None or not permissions.can_manage_case(user, referral.case):
        return None
    return referral
