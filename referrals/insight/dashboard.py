"""The home page: what needs the user now, for each role they hold, in counts that link to the
page where the work is done. A fixed number of queries per role, whatever the data: counts are
grouped in one query per table, lists are short and fetched with their relations.

Referral counts read the organisation's foreign keys and states (indexed), not the permission
tables: the receiving organisation is granted every referral sent to it in these states, so the
two agree, and the counts stay cheap at a million referrals.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from coordination import selectors as coordination_selectors
from coordination.models import ActionItem, ActionStatus
from notifications.models import Delivery, DeliveryStatus
from organisations import names
from organisations.models import Organisation, Partnership, Role
from referrals import selectors
from referrals.models import (
    AWAITING_ANSWER,
    IN_CARE,
    AccessLog,
    BoxVisit,
    EventName,
    Referral,
    ReferralEvent,
    State,
)

if TYPE_CHECKING:
    from organisations.models import Membership

DUE_SOON = datetime.timedelta(hours=24)
LOOK_BACK = datetime.timedelta(days=30)  # "changed since you last looked", for a first visit
PARTNERSHIP_HORIZON = datetime.timedelta(days=60)
LIST_LENGTH = 5


@dataclass
class Item:
    """A count that links to where the work is."""

    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass
class Entry:
    """One line of a short list (a meeting, an alert, an action item)."""

    text: str
    url: str
    detail: str = ""
    when: datetime.datetime | datetime.date | None = None


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    entries_title: str = ""
    more_url: str = ""
    more_label: str = ""
    empty: str = ""


@dataclass
class Dashboard:
    sections: list[Section] = field(default_factory=list)
    can_see_statistics: bool = False


def _box_url(box: str, **filters: str) -> str:
    return reverse("referrals:list") + "?" + urlencode({"box": box, **filters})


def dashboard_for(
    *, user: object, membership: Membership | None, memberships: list[Membership]
) -> Dashboard:
    """Every section the user's roles call for (the acting membership, coordination, admin)."""
    now = timezone.now()
    dashboard = Dashboard()
    if membership is not None and membership.role in (Role.CASEWORKER, Role.SUPERVISOR):
        dashboard.sections += _casework(user=user, membership=membership, now=now)
    if membership is not None:
        dashboard.sections += _member(user=user, now=now)
    coordinated = list(
        coordination_selectors.groups_coordinated_by(user).prefetch_related("members")
    )
    if coordinated:
        dashboard.sections += _coordination(user=user, groups=coordinated, now=now)
    if getattr(user, "is_superuser", False):
        dashboard.sections.append(_platform(now=now))
    # The same rule as insight.scope.scope_choices, from what is loaded already.
    dashboard.can_see_statistics = bool(coordinated) or any(
        m.role == Role.SUPERVISOR for m in memberships
    )
    return dashboard


# Caseworkers and supervisors -------------------------------------------------------------------


def _casework(*, user: object, membership: Membership, now: datetime.datetime) -> list[Section]:
    organisation = membership.organisation
    supervisor = membership.role == Role.SUPERVISOR
    # Three small indexed reads rather than one pass over everything open: unanswered
    # referrals are few (the sweep expires them), those in care can be many.
    counts = Referral.objects.filter(
        to_organisation=organisation, state__in=AWAITING_ANSWER
    ).aggregate(
        # Counting "state": every column read is in the referral_inbox_due index (index only).
        new=Count("state", filter=Q(state=State.SUBMITTED)),
        overdue=Count("state", filter=Q(due_at__lt=now)),
        due_soon=Count("state", filter=Q(due_at__gte=now, due_at__lt=now + DUE_SOON)),
        escalated=Count("state", filter=Q(escalation_sent_at__isnull=False)),
    )
    counts |= Referral.objects.filter(
        assignee=user, to_organisation=organisation, state__in=IN_CARE
    ).aggregate(
        mine=Count("pk"),
        mine_late=Count("pk", filter=Q(state=State.ON_HOLD, expected_date__lt=now.date())),
    )
    if supervisor:
        counts["unassigned"] = Referral.objects.filter(
            to_organisation=organisation, state__in=IN_CARE, assignee__isnull=True
        ).count()
    inbox = Section(
        key="inbox",
        title=_("Inbox of %(organisation)s") % {"organisation": names.isolate(organisation.name)},
        more_url=_box_url("inbox"),
        more_label=_("Open the inbox"),
        empty=_("Nothing waits for you in the inbox."),
    )
    inbox.items = [
        Item(
            _("New referrals not yet opened"),
            counts["new"],
            _box_url("inbox", state=State.SUBMITTED),
            urgent=True,
        ),
        Item(
            _("Awaiting an answer past their due time"),
            counts["overdue"],
            _box_url("inbox", overdue="on"),
            urgent=True,
        ),
        Item(_("Due within 24 hours"), counts["due_soon"], _box_url("inbox")),
        Item(
            _("Assigned to me and in care"),
            counts["mine"],
            _box_url("inbox", assigned="me"),
        ),
        Item(
            _("Assigned to me, on hold past the expected date"),
            counts["mine_late"],
            _box_url("inbox", assigned="me", state=State.ON_HOLD),
            urgent=True,
        ),
    ]
    if supervisor:
        inbox.items += [
            Item(
                _("Escalated to supervisors"),
                counts["escalated"],
                _box_url("inbox", overdue="on"),
                urgent=True,
            ),
            Item(
                _("Accepted but assigned to nobody"),
                counts["unassigned"],
                _box_url("inbox", assigned="none"),
                urgent=True,
            ),
        ]
    sections = [
        inbox,
        _outbox(user=user, organisation=organisation, supervisor=supervisor, now=now),
    ]
    if supervisor:
        sections.append(_access(organisation=organisation, now=now))
    return sections


def _outbox(
    *, user: object, organisation: Organisation, supervisor: bool, now: datetime.datetime
) -> Section:
    """Answers to our referrals since the user last opened the outbox (mine; all for a
    supervisor)."""
    seen = Subquery(
        BoxVisit.objects.filter(user=user, organisation=organisation).values("seen_at")[:1]
    )
    events = ReferralEvent.objects.filter(
        referral__from_organisation=organisation,
        name__in=[EventName.ACCEPTED, EventName.DECLINED, EventName.COMPLETED, EventName.EXPIRED],
        created_at__gt=Coalesce(seen, now - LOOK_BACK),
    )
    if not supervisor:
        events = events.filter(referral__created_by=user)
    counts = events.aggregate(
        accepted=Count("referral", filter=Q(name=EventName.ACCEPTED), distinct=True),
        declined=Count("referral", filter=Q(name=EventName.DECLINED), distinct=True),
        suggested=Count(
            "referral",
            filter=Q(name=EventName.DECLINED, referral__suggested_organisation__isnull=False),
            distinct=True,
        ),
        completed=Count("referral", filter=Q(name=EventName.COMPLETED), distinct=True),
        expired=Count("referral", filter=Q(name=EventName.EXPIRED), distinct=True),
    )
    title = (
        _("Answers to our referrals since you last looked")
        if supervisor
        else _("Answers to my referrals since I last looked")
    )
    return Section(
        key="outbox",
        title=title,
        items=[
            Item(_("Accepted"), counts["accepted"], _box_url("outbox", state=State.ACCEPTED)),
            Item(
                _("Declined with a suggested organisation"),
                counts["suggested"],
                _box_url("outbox", state=State.DECLINED),
                urgent=True,
            ),
            Item(_("Declined"), counts["declined"], _box_url("outbox", state=State.DECLINED)),
            Item(_("Completed"), counts["completed"], _box_url("outbox", state=State.COMPLETED)),
            Item(
                _("Expired without an answer"),
                counts["expired"],
                _box_url("outbox", state=State.EXPIRED),
                urgent=True,
            ),
        ],
        more_url=_box_url("outbox"),
        more_label=_("Open the outbox"),
        empty=_("No answer since you last looked."),
    )


def _access(*, organisation: Organisation, now: datetime.datetime) -> Section:
    """Supervisors: the latest reads of their organisation's cases (the access log)."""
    rows = list(
        AccessLog.objects.filter(case__owner=organisation, created_at__gte=now - LOOK_BACK)
        .select_related("user", "referral__to_organisation")
        .order_by("-created_at", "-id")[:LIST_LENGTH]
    )
    return Section(
        key="access",
        title=_("Who read our cases lately"),
        entries=[
            Entry(
                text=(row.user.get_full_name() or row.user.username) if row.user else _("Unknown"),
                url=reverse("referrals:access-log"),
                detail=" · ".join(
                    [row.get_action_display()]
                    + ([names.isolate(row.referral.to_organisation.name)] if row.referral else [])
                ),
                when=row.created_at,
            )
            for row in rows
        ],
        more_url=reverse("referrals:access-log"),
        more_label=_("Open the access log"),
        empty=_("Nobody has read your cases yet."),
    )


# Every member of an organisation ---------------------------------------------------------------


def _member(*, user: object, now: datetime.datetime) -> list[Section]:
    today = timezone.localdate(now)
    week_end = today + datetime.timedelta(days=7)
    # Short lists, full counts: always counted, so the number of queries never depends on data.
    due = coordination_selectors.action_items_of(user).filter(due_on__lte=week_end)
    actions = list(due[:LIST_LENGTH])
    action_count = due.count()
    sittings = coordination_selectors.upcoming_sittings(user, now=now, days=60, limit=3)
    awaiting = coordination_selectors.alerts_awaiting_queryset(user)
    alerts = list(awaiting[:LIST_LENGTH])
    alert_count = awaiting.count()
    reports = coordination_selectors.reports_awaited(user, now=now)
    section = Section(
        key="coordination",
        title=_("Coordination"),
        more_url=reverse("coordination:groups"),
        more_label=_("Open coordination"),
        empty=_("No meeting, alert or action item for you."),
    )
    section.items = [
        Item(
            _("Action items of my organisation due within a week"),
            action_count,
            reverse("coordination:my-actions"),
            urgent=any(item.due_on < today for item in actions),
        ),
        Item(
            _("Alerts to acknowledge"),
            alert_count,
            reverse("coordination:groups"),
            urgent=True,
        ),
    ]
    if reports:
        section.items.append(
            Item(
                _("Indicator reports my organisation owes"),
                len(reports),
                reverse("coordination:commitments"),
                urgent=any(due.late for due in reports),
            )
        )
    section.entries = [
        *(
            Entry(
                text=due.indicator.name,
                url=reverse(
                    "coordination:plan-report",
                    args=[due.indicator.pk, due.period.start.isoformat()],
                ),
                detail=(_("Report late") if due.late else _("Report due"))
                + " · "
                + formats.date_format(due.period.start, "YEAR_MONTH_FORMAT"),
                when=due.period.due_on,
            )
            for due in reports[:LIST_LENGTH]
        ),
        *(
            Entry(
                text=alert.title,
                url=reverse("coordination:alert", args=[alert.pk]),
                detail=_("Alert · %(group)s") % {"group": names.isolate(alert.group.name)},
                when=alert.created_at,
            )
            for alert in alerts
        ),
        *(
            Entry(
                text=item.title,
                url=reverse("coordination:action-update", args=[item.pk]),
                detail=_("Action item due") + (" · " + _("overdue") if item.is_overdue else ""),
                when=item.due_on,
            )
            for item in actions
        ),
        *(
            Entry(
                text=sitting.meeting.title,
                url=sitting.get_absolute_url(),
                detail=_("Next meeting · %(group)s")
                % {"group": names.isolate(sitting.meeting.group.name)},
                when=sitting.starts_at,
            )
            for sitting in sittings
        ),
    ]
    return [section]


# Coordinators ----------------------------------------------------------------------------------


def _coordination(*, user: object, groups: list, now: datetime.datetime) -> list[Section]:
    today = timezone.localdate(now)
    members: dict[int, Organisation] = {}
    for group in groups:
        for organisation in group.members.all():
            members[organisation.pk] = organisation
    pending = selectors.referral_list(user=user, box=selectors.MODERATION).count()
    overdue = dict(
        Referral.objects.overdue(now=now)
        .filter(to_organisation_id__in=list(members))
        .order_by()
        .values_list("to_organisation")
        .annotate(n=Count("pk"))
    )
    actions = {
        (row["group"], row["status"]): row
        for row in ActionItem.objects.filter(group__in=groups)
        .order_by()
        .values("group", "status")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
    }
    alerts = list(
        coordination_selectors.alert_list_for_groups(groups).filter(created_at__gte=now - LOOK_BACK)
    )
    sittings = coordination_selectors.sittings_between(
        coordination_selectors.meeting_list(user).filter(group__in=groups),
        start=now,
        end=now + datetime.timedelta(days=60),
        include_cancelled=False,
    )
    late_reports = coordination_selectors.reports_late(groups, now=now)
    section = Section(
        key="coordinator",
        title=_("Groups I coordinate"),
        more_url=reverse("insight:referrals"),
        more_label=_("Open the statistics"),
    )
    section.items.append(
        Item(
            _("Referrals awaiting my moderation"),
            pending,
            _box_url("moderation"),
            urgent=True,
        )
    )
    for organisation in sorted(members.values(), key=lambda o: o.name.casefold()):
        if overdue.get(organisation.pk):
            section.items.append(
                Item(
                    _("Overdue referrals at %(organisation)s")
                    % {"organisation": names.isolate(organisation.name)},
                    overdue[organisation.pk],
                    reverse("organisations:detail", args=[organisation.pk]),
                    urgent=True,
                )
            )
    for group in groups:
        url = reverse("coordination:group", args=[group.pk])
        late = sum(
            actions.get((group.pk, status), {}).get("late", 0)
            for status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        )
        section.items += [
            Item(
                _("%(group)s: action items open") % {"group": names.isolate(group.name)},
                actions.get((group.pk, ActionStatus.OPEN), {}).get("n", 0),
                url,
            ),
            Item(
                _("%(group)s: action items in progress") % {"group": names.isolate(group.name)},
                actions.get((group.pk, ActionStatus.IN_PROGRESS), {}).get("n", 0),
                url,
            ),
            Item(
                _("%(group)s: action items overdue") % {"group": names.isolate(group.name)},
                late,
                url,
                urgent=True,
            ),
            Item(
                _("%(group)s: action items done") % {"group": names.isolate(group.name)},
                actions.get((group.pk, ActionStatus.DONE), {}).get("n", 0),
                url,
            ),
        ]
        late = [due for due in late_reports if due.indicator.plan.group_id == group.pk]
        if late:
            section.items.append(
                Item(
                    _("%(group)s: indicator reports late") % {"group": names.isolate(group.name)},
                    len(late),
                    reverse("coordination:action-plans", args=[group.pk]),
                    urgent=True,
                )
            )
        next_sitting = next((s for s in sittings if s.meeting.group_id == group.pk), None)
        if next_sitting is not None:
            section.entries.append(
                Entry(
                    text=next_sitting.meeting.title,
                    url=next_sitting.get_absolute_url(),
                    detail=_("Next meeting · %(group)s") % {"group": names.isolate(group.name)},
                    when=next_sitting.starts_at,
                )
            )
    for alert in alerts:
        status = coordination_selectors.alert_status(alert)
        if status.waiting:
            section.entries.append(
                Entry(
                    text=alert.title,
                    url=reverse("coordination:alert", args=[alert.pk]),
                    detail=_("Not yet acknowledged by %(organisations)s")
                    % {"organisations": ", ".join(names.isolate(o.name) for o in status.waiting)},
                    when=alert.created_at,
                )
            )
    return [section]


# Platform admins -------------------------------------------------------------------------------


def _platform(*, now: datetime.datetime) -> Section:
    today = timezone.localdate(now)
    unverified = Organisation.objects.active().filter(is_verified=False).order_by("created_at")
    ending = list(
        Partnership.objects.filter(ends_on__gte=today, ends_on__lte=today + PARTNERSHIP_HORIZON)
        .select_related("municipality", "organisation")
        .order_by("ends_on")
    )
    dead = Delivery.objects.filter(status=DeliveryStatus.DEAD).count()
    section = Section(
        key="platform",
        title=_("Platform administration"),
        items=[
            Item(
                _("Organisations waiting for verification"),
                unverified.count(),
                reverse("admin:organisations_organisation_changelist") + "?is_verified__exact=0",
                urgent=True,
            ),
            Item(
                _("Partnerships ending within 60 days"),
                len(ending),
                reverse("admin:organisations_partnership_changelist"),
                urgent=True,
            ),
            Item(
                _("E-mails that failed for good"),
                dead,
                reverse("admin:notifications_delivery_changelist") + "?status__exact=dead",
                urgent=True,
            ),
        ],
        more_url=reverse("admin:index"),
        more_label=_("Open the administration"),
    )
    section.entries = [
        *(
            Entry(
                text=organisation.name,
                url=reverse("admin:organisations_organisation_change", args=[organisation.pk]),
                detail=_("Waiting for verification"),
                when=organisation.created_at,
            )
            for organisation in unverified[:LIST_LENGTH]
        ),
        *(
            Entry(
                text=" – ".join(
                    names.isolate(o.name)
                    for o in (partnership.municipality, partnership.organisation)
                ),
                url=reverse("admin:organisations_partnership_change", args=[partnership.pk]),
                detail=_("Partnership ends"),
                when=partnership.ends_on,
            )
            for partnership in ending[:LIST_LENGTH]
        ),
    ]
    return section
