"""Reads of coordination: what a user may see, calendars, action items, alerts, and what the
sweeps must do. Other apps use the coordinator look-ups at the top (referrals asks who
coordinates whom)."""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.crypto import salted_hmac

from coordination import permissions, schedule
from coordination.models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    ActionPlan,
    Activity,
    AgendaItem,
    AgendaStatus,
    Alert,
    AlertAcknowledgement,
    CalendarFeed,
    Commitment,
    ContingencyPlan,
    CoordinationGroup,
    Endorsement,
    Indicator,
    IndicatorReport,
    Meeting,
    MeetingReminder,
    MeetingStatus,
    Occurrence,
    Pathway,
    PathwayStep,
    PlanRole,
    ReminderKind,
    TermsOfReference,
)
from coordination.periods import Period, periods
from organisations.models import Membership, Organisation, Role, Service
from organisations.selectors import memberships_of

if TYPE_CHECKING:
    from config.types import Actor
    from coordination.schedule import Sitting

# The longest a sitting lasts: rows of sittings that began this long before a window still
# overlap it.
LONGEST_SITTING = datetime.timedelta(hours=24)


def _with_active_membership() -> Exists:
    """A coordinator's rights last as long as one of their memberships does."""
    return Exists(
        Membership.objects.active().filter(user=OuterRef("pk")),
    )


def coordinators_for_pair(*, first: Organisation, second: Organisation) -> QuerySet:
    """Active users, still members of an organisation, who coordinate a group to which both
    organisations belong."""
    # Chained filters on the same multi-valued relation join twice: one group, both members.
    shared_groups = CoordinationGroup.objects.filter(members=first).filter(members=second)
    return (
        get_user_model()
        .objects.filter(is_active=True, coordinated_groups__in=shared_groups)
        .filter(_with_active_membership())
        .distinct()
    )


def moderators_for(*, sender: Organisation, receiver: Organisation) -> QuerySet:
    """Who may approve or reject a referral from ``sender`` to ``receiver``: a coordinator of a
    group holding both, who is not a member of the sending organisation (no one moderates
    their own organisation's referrals)."""
    sender_members = Membership.objects.active().filter(organisation=sender)
    return coordinators_for_pair(first=sender, second=receiver).exclude(
        pk__in=sender_members.values("user_id")
    )


def is_moderator_for(*, user: Actor, sender: Organisation, receiver: Organisation) -> bool:
    return moderators_for(sender=sender, receiver=receiver).filter(pk=user.pk).exists()


def coordinators_of(*, organisation: Organisation) -> QuerySet:
    """Active coordinators of every group the organisation belongs to (for escalations)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, coordinated_groups__members=organisation)
        .filter(_with_active_membership())
        .distinct()
    )


def groups_coordinated_by(user: Actor) -> QuerySet[CoordinationGroup]:
    """The groups the user coordinates, while the account and one membership are active."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CoordinationGroup.objects.none()
    if not Membership.objects.active().filter(user=user).exists():
        return CoordinationGroup.objects.none()
    return CoordinationGroup.objects.filter(coordinators=user).order_by("name")


# Groups -----------------------------------------------------------------------------------------


def group_list(user: Actor) -> QuerySet[CoordinationGroup]:
    return (
        permissions.groups_visible(user)
        .select_related("convening_organisation")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name")
    )


def group_get(user: Actor, pk: int) -> CoordinationGroup | None:
    """One visible group with its members and coordinators (None: invisible or missing)."""
    return (
        permissions.groups_visible(user)
        .select_related("convening_organisation")
        .prefetch_related(
            Prefetch("members", queryset=Organisation.objects.order_by("name")),
            Prefetch("coordinators", queryset=get_user_model().objects.order_by("username")),
        )
        .filter(pk=pk)
        .first()
    )


def user_organisation_ids(user: Actor) -> set[int]:
    return {m.organisation_id for m in memberships_of(user)}


# Meetings ---------------------------------------------------------------------------------------


def meeting_list(user: Actor, *, group: CoordinationGroup | None = None) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(group__in=permissions.groups_visible(user)).select_related(
        "group"
    )
    if group is not None:
        meetings = meetings.filter(group=group)
    return meetings


def meeting_get(user: Actor, pk: int) -> Meeting | None:
    meeting = Meeting.objects.select_related("group").filter(pk=pk).first()
    if meeting is None or not permissions.can_view(user, meeting.group):
        return None
    return meeting


def _window_rows(start: datetime.datetime, end: datetime.datetime) -> Prefetch:
    rows = Occurrence.objects.filter(
        Q(original_start__gt=start - LONGEST_SITTING, original_start__lt=end)
        | Q(moved_start__lt=end, moved_end__gt=start)
    )
    return Prefetch("occurrences", queryset=rows, to_attr="window_rows")


def meetings_overlapping(
    meetings: QuerySet[Meeting], *, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Meeting]:
    """Meetings with a sitting that may overlap the window (indexed on ``first_start``)."""
    return (
        meetings.filter(first_start__lt=end)
        .filter(Q(last_end__isnull=True) | Q(last_end__gt=start))
        .select_related("group")
        .prefetch_related(_window_rows(start, end))
    )


def sittings_between(
    meetings: QuerySet[Meeting],
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    include_cancelled: bool = True,
) -> list[Sitting]:
    """Every sitting of these meetings in the window, in time order, in two queries."""
    found: list[Sitting] = []
    for meeting in meetings_overlapping(meetings, start=start, end=end):
        found += schedule.sittings(
            meeting,
            start=start,
            end=end,
            rows=meeting.window_rows,  # type: ignore[attr-defined]  # a Prefetch's to_attr
            include_cancelled=include_cancelled,
        )
    found.sort(key=lambda s: (s.starts_at, s.meeting.pk))
    return found


def upcoming_sittings(
    user: Actor,
    *,
    now: datetime.datetime,
    days: int = 60,
    group: CoordinationGroup | None = None,
    limit: int | None = None,
) -> list[Sitting]:
    sittings = sittings_between(
        meeting_list(user, group=group), start=now, end=now + datetime.timedelta(days=days)
    )
    return sittings[:limit] if limit else sittings


@dataclass
class SittingPage:
    """Everything the meeting page shows for one sitting."""

    sitting: Sitting
    accepted: list[AgendaItem] = field(default_factory=list)
    proposed: list[AgendaItem] = field(default_factory=list)
    declined: list[AgendaItem] = field(default_factory=list)
    attendance: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)


def sitting_page(sitting: Sitting) -> SittingPage:
    page = SittingPage(sitting=sitting)
    row = sitting.row
    if row is None:
        return page
    items = list(
        row.agenda_items.select_related("proposed_by_organisation", "proposed_by", "reviews_plan")
    )
    page.accepted = sorted(
        (i for i in items if i.status == AgendaStatus.ACCEPTED), key=lambda i: (i.position, i.pk)
    )
    page.proposed = [i for i in items if i.status == AgendaStatus.PROPOSED]
    page.declined = [i for i in items if i.status == AgendaStatus.DECLINED]
    page.attendance = list(row.attendance.select_related("organisation"))
    page.decisions = list(row.decisions.select_related("activity"))
    page.action_items = list(
        row.action_items.select_related("owner_organisation", "owner_user", "activity").order_by(
            "due_on"
        )
    )
    return page


def other_sittings(meeting: Meeting, *, now: datetime.datetime) -> tuple[list, list]:
    """(recent past sittings, coming sittings) of a series for its page."""
    past = schedule.sittings(meeting, start=now - datetime.timedelta(days=400), end=now, rows=None)
    coming = schedule.sittings(meeting, start=now, end=now + datetime.timedelta(days=400))
    return past[-6:][::-1], coming[:8]


# Action items -----------------------------------------------------------------------------------


def _action_items() -> QuerySet[ActionItem]:
    return ActionItem.objects.select_related(
        "group", "owner_organisation", "owner_user", "occurrence__meeting"
    )


def action_item_list(user: Actor) -> QuerySet[ActionItem]:
    """Action items of every group the user sees."""
    return _action_items().filter(group__in=permissions.groups_visible(user))


def action_items_of(user: Actor, *, include_closed: bool = False) -> QuerySet[ActionItem]:
    """'My action items': named on me, or owned by one of my organisations, across groups."""
    items = action_item_list(user).filter(
        Q(owner_user=user) | Q(owner_organisation_id__in=user_organisation_ids(user))
    )
    if not include_closed:
        items = items.filter(status__in=OPEN_ACTION_STATUSES)
    return items.order_by("due_on", "id")


def open_action_items(group: CoordinationGroup) -> QuerySet[ActionItem]:
    return _action_items().filter(group=group, status__in=OPEN_ACTION_STATUSES).order_by("due_on")


def action_item_counts(group: CoordinationGroup, *, today: datetime.date) -> dict[str, int]:
    """For dashboards: open and overdue action items of a group (no personal data)."""
    return ActionItem.objects.filter(group=group, status__in=OPEN_ACTION_STATUSES).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )


def editable_action_ids(user: Actor, items: list[ActionItem]) -> set[int]:
    """Which of these items the user may update (coordinator, or owner), with two queries."""
    coordinated = permissions.coordinated_group_ids(user)
    organisations = user_organisation_ids(user)
    return {
        item.pk
        for item in items
        if item.group_id in coordinated
        or item.owner_user_id == getattr(user, "pk", None)
        or item.owner_organisation_id in organisations
    }


# Alerts -----------------------------------------------------------------------------------------


def _alerts() -> QuerySet[Alert]:
    """Alerts with their recipients and acknowledgements (three queries for any number)."""
    return Alert.objects.select_related(
        "group", "sent_by", "sent_by_organisation"
    ).prefetch_related(
        Prefetch("recipients", queryset=Organisation.objects.order_by("name")),
        Prefetch(
            "acknowledgements", queryset=AlertAcknowledgement.objects.select_related("organisation")
        ),
    )


def alert_list(group: CoordinationGroup) -> QuerySet[Alert]:
    return _alerts().filter(group=group).order_by("-created_at", "-id")


def alert_list_for_groups(groups: list[CoordinationGroup]) -> QuerySet[Alert]:
    """Alerts of several groups with recipients and acknowledgements (three queries)."""
    return _alerts().filter(group__in=groups).order_by("-created_at", "-id")


def alert_get(user: Actor, pk: int) -> Alert | None:
    alert = _alerts().filter(pk=pk).first()
    if alert is None or not permissions.can_view(user, alert.group):
        return None
    return alert


@dataclass
class AlertStatus:
    alert: Alert
    acknowledged: list[AlertAcknowledgement]
    waiting: list[Organisation]


def alert_status(alert: Alert) -> AlertStatus:
    """Who acknowledged, and who has not yet (from prefetched rows, no query)."""
    acknowledgements = sorted(alert.acknowledgements.all(), key=lambda a: (a.acknowledged_at, a.pk))
    done = {a.organisation_id for a in acknowledgements}
    waiting = [o for o in alert.recipients.all() if o.pk not in done]
    return AlertStatus(alert=alert, acknowledged=acknowledgements, waiting=waiting)


def alerts_awaiting_queryset(user: Actor) -> QuerySet[Alert]:
    """Alerts one of the user's organisations has not acknowledged yet, newest first."""
    organisations = user_organisation_ids(user)
    if not organisations:
        return Alert.objects.none()
    return (
        Alert.objects.filter(
            group__in=permissions.groups_visible(user), recipients__in=organisations
        )
        .exclude(acknowledgements__organisation_id__in=organisations)
        .select_related("group")
        .distinct()
        .order_by("-created_at")
    )


def alerts_awaiting(user: Actor, *, limit: int = 5) -> list[Alert]:
    return list(alerts_awaiting_queryset(user)[:limit])


# Plans ------------------------------------------------------------------------------------------


def plan_list(group: CoordinationGroup) -> QuerySet[ContingencyPlan]:
    return group.plans.order_by("title")


def plan_get(user: Actor, pk: int) -> ContingencyPlan | None:
    plan = (
        ContingencyPlan.objects.select_related("group")
        .prefetch_related(Prefetch("roles", queryset=_roles()))
        .filter(pk=pk)
        .first()
    )
    if plan is None or not permissions.can_view(user, plan.group):
        return None
    return plan


def _roles() -> QuerySet[PlanRole]:
    return PlanRole.objects.select_related("organisation").order_by("organisation__name")


# Calendar feed ----------------------------------------------------------------------------------


def feed_token(feed: CalendarFeed) -> str:
    return salted_hmac(
        "coordination.calendar-feed", f"{feed.pk}:{feed.secret}", algorithm="sha256"
    ).hexdigest()


def feed_user(*, pk: int, token: str) -> object | None:
    """The active user whose feed this is, or None (unknown, revoked, regenerated, inactive)."""
    feed = CalendarFeed.objects.select_related("user").filter(pk=pk).first()
    if feed is None or not hmac.compare_digest(feed_token(feed), token or ""):
        return None
    return feed.user if feed.user.is_active else None


def feed_meetings(user: Actor, *, now: datetime.datetime) -> QuerySet[Meeting]:
    """What a personal feed holds: meetings of the user's groups not over for 90 days."""
    recent = now - datetime.timedelta(days=90)
    return (
        meeting_list(user)
        .filter(Q(last_end__isnull=True) | Q(last_end__gte=recent))
        .prefetch_related("occurrences")
        .order_by("first_start", "pk")
    )


# Sweeps -----------------------------------------------------------------------------------------

# When each reminder goes out: from ``lead`` before the start until ``latest`` before it (a
# sweep that comes later, after an outage, does not send a stale "tomorrow" reminder).
REMINDER_WINDOWS = {
    ReminderKind.DAY_BEFORE: (datetime.timedelta(hours=24), datetime.timedelta(hours=12)),
    ReminderKind.HOUR_BEFORE: (datetime.timedelta(hours=1), datetime.timedelta(0)),
}


LONGEST_LEAD = max(lead for lead, _latest in REMINDER_WINDOWS.values())
# How far ahead the reminder sweep looks for a meeting's next reminder; a meeting with none in
# that time is looked at again when the time has passed.
REMINDER_LOOKAHEAD = datetime.timedelta(days=366)


@dataclass(frozen=True)
class DueReminder:
    meeting_id: int
    original_start: datetime.datetime
    kind: str


@dataclass(frozen=True)
class NextReminder:
    """A meeting's next reminder: its sitting (original start) and kind, to send from ``opens``
    until ``closes``. Without a sitting (``original_start`` None) there is none to send before
    ``opens``, when the sweep looks again."""

    original_start: datetime.datetime | None
    kind: str
    opens: datetime.datetime
    closes: datetime.datetime | None = None

    @property
    def order(self) -> tuple[datetime.datetime, datetime.datetime | None, str]:
        return (self.opens, self.original_start, self.kind)

    def fields(self) -> dict[str, object]:
        """The meeting's columns that keep it (``Meeting.reminders_from`` and the rest)."""
        return {
            "reminders_from": self.opens,
            "reminders_until": self.closes,
            "reminder_start": self.original_start,
            "reminder_kind": self.kind,
        }


def _recent_reminders(now: datetime.datetime) -> Prefetch:
    """The reminders already written for sittings that may still be to come."""
    return Prefetch(
        "reminders",
        queryset=MeetingReminder.objects.filter(original_start__gt=now - LONGEST_SITTING),
        to_attr="recent_reminders",
    )


def reminder_meetings(now: datetime.datetime) -> QuerySet[Meeting]:
    """Meetings ready for ``next_reminder``: their sittings' rows for the look-ahead and their
    recent reminders prefetched."""
    return Meeting.objects.prefetch_related(
        _window_rows(now, now + REMINDER_LOOKAHEAD), _recent_reminders(now)
    )


def _first_reminder(
    meeting: Meeting,
    *,
    now: datetime.datetime,
    horizon: datetime.datetime,
    after: tuple | None,
) -> NextReminder | None:
    """The first reminder to open of the sittings before ``horizon``; None if a sitting after it
    could have one that opens sooner."""
    sent = {(r.original_start, r.kind) for r in meeting.recent_reminders}  # type: ignore[attr-defined]
    best: NextReminder | None = None
    for sitting in schedule.sittings(
        meeting,
        start=now,
        end=horizon,
        rows=meeting.window_rows,  # type: ignore[attr-defined]  # a Prefetch's to_attr
        include_cancelled=False,
    ):
        if sitting.status != MeetingStatus.SCHEDULED or sitting.starts_at <= now:
            continue
        for kind, (lead, latest) in REMINDER_WINDOWS.items():
            found = NextReminder(
                sitting.original_start, kind, sitting.starts_at - lead, sitting.starts_at - latest
            )
            if (
                found.closes <= now  # type: ignore[operator]  # a sitting's window has both ends
                or (sitting.original_start, kind) in sent
                or (after is not None and found.order <= after)
                # scheduled less than a day ahead: the notice that it was scheduled just went out
                or (kind == ReminderKind.DAY_BEFORE and meeting.created_at > found.opens)
            ):
                continue
            if best is None or found.order < best.order:
                best = found
    if best is not None and best.opens <= horizon - LONGEST_LEAD:
        return best
    return None


def next_reminder(
    meeting: Meeting, *, now: datetime.datetime, after: tuple | None = None
) -> NextReminder:
    """The meeting's first reminder, in the order they open, that is not sent, not past its
    window, and comes after ``after`` (the ``order`` of the reminder just handled, so that the
    sweep moves on even from one it could not claim). ``meeting`` comes from
    ``reminder_meetings``. Most meetings have a sitting within two days or none for long: the
    near window is expanded first."""
    end = now + REMINDER_LOOKAHEAD
    for horizon in (now + 2 * LONGEST_LEAD, end):
        found = _first_reminder(meeting, now=now, horizon=horizon, after=after)
        if found is not None:
            return found
    return NextReminder(None, "", end - LONGEST_LEAD)


def reminders_due(*, now: datetime.datetime) -> list[DueReminder]:
    """Reminders to send now. Each meeting keeps its next reminder (``next_reminder``, kept by
    the sweep): one range of one index finds those due, and no recurrence rule is expanded. A
    meeting whose next reminder is not known yet (changed since the sweep last looked) or whose
    window went by is worked out here, all its reminders due now."""
    due: list[DueReminder] = []
    unknown: list[int] = []
    # Just past the longest lead: a sitting exactly that far away has its first reminder due.
    soon = now + LONGEST_LEAD + datetime.timedelta(seconds=1)
    rows = Meeting.objects.filter(status=MeetingStatus.SCHEDULED, reminders_from__lte=now)
    for pk, start, kind, until, first_start, last_end in rows.order_by(
        "reminders_from", "pk"
    ).values_list(
        "pk", "reminder_start", "reminder_kind", "reminders_until", "first_start", "last_end"
    ):
        if start is not None and until is not None and until > now:
            due.append(DueReminder(pk, start, kind))
        elif first_start < soon and (last_end is None or last_end > now):
            unknown.append(pk)  # may have a sitting soon: worked out below
    if unknown:
        for meeting in reminder_meetings(now).filter(pk__in=unknown):
            after = None
            while (found := next_reminder(meeting, now=now, after=after)).opens <= now:
                if found.original_start is None:
                    break
                due.append(DueReminder(meeting.pk, found.original_start, found.kind))
                after = found.order
    return due


def reminder_bounds_to_refresh(*, now: datetime.datetime) -> QuerySet[Meeting]:
    """Scheduled meetings whose next reminder is unknown, went by unsent, or is to be looked for
    again, ready for ``next_reminder``."""
    return (
        reminder_meetings(now)
        .filter(status=MeetingStatus.SCHEDULED, reminders_from__lte=now)
        .filter(Q(reminder_start__isnull=True) | Q(reminders_until__lte=now))
        .order_by("reminders_from", "pk")
    )


def action_items_due_tomorrow(*, today: datetime.date) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(
        status__in=OPEN_ACTION_STATUSES,
        due_on=today + datetime.timedelta(days=1),
        due_reminded_at__isnull=True,
    ).order_by("pk")


def action_items_overdue(*, today: datetime.date) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(
        status__in=OPEN_ACTION_STATUSES, due_on__lt=today, overdue_reminded_at__isnull=True
    ).order_by("pk")


def conveners_for(user: Actor) -> QuerySet[Organisation]:
    """The organisations whose coordination group this user may set up (``group_create``):
    those it supervises or administers; every active one for a platform admin."""
    if not (user.is_authenticated and user.is_active):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.active().order_by("name")
    return (
        Organisation.objects.active()
        .filter(
            pk__in=memberships_of(user)
            .filter(role__in=[Role.SUPERVISOR, Role.ADMIN])
            .values("organisation")
        )
        .order_by("name")
    )


# Joint action plans -----------------------------------------------------------------------------


def action_plans_visible(user: Actor) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.filter(group__in=permissions.groups_visible(user))


def action_plan_get(user: Actor, pk: int) -> ActionPlan | None:
    plan = (
        ActionPlan.objects.select_related("group", "group__convening_organisation")
        .prefetch_related(
            Prefetch("group__members", queryset=Organisation.objects.order_by("name"))
        )
        .filter(pk=pk)
        .first()
    )
    if plan is None or not permissions.can_view(user, plan.group):
        return None
    return plan


def plan_activities(plan: ActionPlan) -> QuerySet[Activity]:
    return (
        plan.activities.select_related("lead_organisation", "objective")
        .prefetch_related(Prefetch("partners", queryset=Organisation.objects.order_by("name")))
        .order_by("start_on", "id")
    )


@dataclass
class DueReport:
    indicator: Indicator
    period: Period
    late: bool


def _reports_owed(indicators: QuerySet[Indicator], now: datetime.datetime) -> list[DueReport]:
    """Every ended period of these reported indicators without a value, oldest due first."""
    rows = list(
        indicators.filter(source="", activity__isnull=False, plan__start_on__lte=now.date())
        .select_related("plan__group", "activity__lead_organisation")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=IndicatorReport.objects.filter(superseded_at__isnull=True),
                to_attr="current_reports",
            )
        )
    )
    found: list[DueReport] = []
    for indicator in rows:
        plan = indicator.plan
        today = now.astimezone(permissions.group_zone(plan.group)).date()
        done = {r.period_start for r in getattr(indicator, "current_reports", [])}
        found.extend(
            DueReport(indicator, period, late=today > period.due_on)
            for period in periods(
                plan.start_on, plan.end_on, indicator.frequency, reporting_days=plan.reporting_days
            )
            if period.has_ended(today) and period.start not in done
        )
    found.sort(key=lambda due: (due.period.due_on, due.indicator.pk))
    return found


def reports_awaited(user: Actor, *, now: datetime.datetime) -> list[DueReport]:
    """Reports the user's organisations owe (they are its supervisor or admin)."""
    speaking = permissions.speaking_organisation_ids(user)
    if not speaking:
        return []
    return _reports_owed(
        Indicator.objects.filter(
            activity__lead_organisation_id__in=speaking,
            plan__group__in=permissions.groups_visible(user),
        ),
        now,
    )


def reports_late(groups: list[CoordinationGroup], *, now: datetime.datetime) -> list[DueReport]:
    """The late reports of these groups' plans (for their coordinators)."""
    owed = _reports_owed(Indicator.objects.filter(plan__group__in=groups), now)
    return [due for due in owed if due.late]


def commitments_of(user: Actor) -> QuerySet[Activity]:
    """Activities of visible plans that the user's organisations lead or take part in."""
    mine = user_organisation_ids(user)
    return (
        Activity.objects.filter(plan__group__in=permissions.groups_visible(user))
        .filter(Q(lead_organisation_id__in=mine) | Q(partners__in=mine))
        .select_related("plan__group", "lead_organisation", "objective")
        .prefetch_related(Prefetch("partners", queryset=Organisation.objects.order_by("name")))
        .distinct()
        .order_by("end_on", "id")
    )


# Referral pathways ------------------------------------------------------------------------------


def pathway_rows() -> QuerySet[Pathway]:
    """Pathways with their steps and the services as they are now (a fixed number of queries)."""
    services_now = Service.objects.select_related("organisation").order_by("organisation__name")
    return Pathway.objects.select_related("group", "adopted_by__occurrence").prefetch_related(
        Prefetch(
            "steps",
            queryset=PathwayStep.objects.prefetch_related(
                Prefetch("services", queryset=services_now)
            ),
        )
    )


def pathways_visible(user: Actor) -> QuerySet[Pathway]:
    """Pathways of the user's groups, adopted first."""
    return (
        pathway_rows()
        .filter(group__in=permissions.groups_visible(user))
        .order_by("-adopted_at", "category", "id")
    )


def terms_rows() -> QuerySet[TermsOfReference]:
    """Versions of terms of reference with their commitments, endorsements and the group's
    members (to say who has not endorsed)."""
    return TermsOfReference.objects.select_related(
        "group", "adopted_by__occurrence"
    ).prefetch_related(
        Prefetch("commitments", queryset=Commitment.objects.select_related("organisation")),
        Prefetch(
            "endorsements",
            queryset=Endorsement.objects.select_related("organisation", "endorsed_by"),
        ),
        Prefetch("group__members", queryset=Organisation.objects.order_by("name")),
    )


def terms_visible(user: Actor) -> QuerySet[TermsOfReference]:
    return terms_rows().filter(group__in=permissions.groups_visible(user))


def published_pathways(*, category: str = "", city: str = "") -> QuerySet[Pathway]:
    """What the public "find help" pages may show of the pathways: adopted and published ones,
    each step with its **public** services only: a service not marked public, or whose location
    is confidential, never appears, whatever the step lists."""
    public = Service.objects.public().select_related("organisation").order_by("organisation__name")
    pathways = Pathway.objects.filter(is_published=True, adopted_at__isnull=False)
    if category:
        pathways = pathways.filter(category=category)
    if city:
        pathways = pathways.filter(city__iexact=city)
    return pathways.prefetch_related(
        Prefetch(
            "steps",
            queryset=PathwayStep.objects.prefetch_related(
                Prefetch("services", queryset=public, to_attr="public_services")
            ),
        )
    ).order_by("category", "city", "id")
