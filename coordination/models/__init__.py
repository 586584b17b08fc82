"""Coordination: groups, their meetings (single or recurring), what is decided there, alerts and
contingency plans.

How a meeting is stored (see ``coordination.recurrence`` for the arithmetic):

- ``Meeting`` is the schedule. Its first sitting starts at ``start_date`` + ``start_time``, a wall
  clock time in ``time_zone`` (the DTSTART of RFC 5545); ``rrule`` holds an RFC 5545 RRULE value
  for a series and is blank for a single meeting. Occurrences are computed, never stored in bulk,
  so that 10:00 stays 10:00 local time across daylight-saving changes.
- ``Occurrence`` is one sitting that something was recorded for, keyed by its *original* start
  (the iCalendar RECURRENCE-ID): an exception (cancelled or moved), or its agenda, attendance,
  minutes, decisions and action items. Rows are created on first need.
- ``first_start`` and ``last_end`` bound every sitting of a meeting in UTC so that the calendar
  and the reminder sweep find candidate meetings with one indexed query.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from typing import Any
from urllib.parse import urlsplit

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from organisations.models import Organisation


def default_time_zone() -> str:
    return settings.TIME_ZONE


@functools.cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    # A lookup in the list, never a file opened with a name from the request (a long name or a
    # path would raise OSError, not "not found").
    if value not in known_time_zones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class CoordinationGroup(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    convening_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="convened_groups",
        verbose_name=_("convening organisation"),
    )
    members = models.ManyToManyField(
        Organisation, related_name="coordination_groups", verbose_name=_("member organisations")
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="coordinated_groups",
        blank=True,
        verbose_name=_("coordinators"),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Where the group meets; new meetings are scheduled in this time zone."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("coordination group")
        verbose_name_plural = _("coordination groups")
        permissions = [
            ("coordinate_group", "Can run the group: meetings, agenda, minutes, alerts, plans"),
            ("take_part_in_group", "Can see the group's work and propose agenda items"),
            ("broadcast_alert", "Can broadcast an alert to the group's member organisations"),
        ]

    def __str__(self) -> str:
        return self.name


class CoordinationGroupUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CoordinationGroup, on_delete=models.CASCADE)


class CoordinationGroupGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CoordinationGroup, on_delete=models.CASCADE)


# Meetings ---------------------------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
    HELD = "held", pgettext_lazy("meeting status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


# A meeting's reminder bound before the sweep computed it (see ``Meeting.reminders_from``): a
# date long past rather than NULL, so that both sweep questions are one range of one index.
REMINDERS_UNKNOWN = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
FORGET_REMINDER = {
    "reminders_from": REMINDERS_UNKNOWN,
    "reminders_until": None,
    "reminder_start": None,
    "reminder_kind": "",
}


class Meeting(models.Model):
    """A single meeting, or a series when ``rrule`` is set."""

    group = models.ForeignKey(
        CoordinationGroup,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("group"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("date of the first meeting"))
    start_time = models.TimeField(_("starts at (local time)"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=120,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    rrule = models.CharField(
        _("recurrence rule"),
        max_length=500,
        blank=True,
        help_text=_("An RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1TU; blank for a single meeting."),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    invited_organisations = models.ManyToManyField(
        Organisation, related_name="+", blank=True, verbose_name=_("invited organisations")
    )
    # iCalendar SEQUENCE: raised at every change calendar applications must pick up.
    sequence = models.PositiveIntegerField(default=0)
    first_start = models.DateTimeField(_("first sitting starts"))
    last_end = models.DateTimeField(
        _("last sitting ends"), null=True, blank=True, help_text=_("Empty: the series has no end.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The meeting's next reminder, kept by the reminder sweep: the sitting (its original start)
    # and the kind, due from ``reminders_from`` until ``reminders_until``. The sweep reads the
    # meetings whose reminder is due, one range of one index, and expands no recurrence rule
    # (issue 13: every running series was read and expanded, 939 ms at 100,000 meetings; then
    # those with a sitting within the day, 16 ms). ``reminders_from`` is REMINDERS_UNKNOWN, long
    # past, when the sweep must work it out again: any change to the meeting or a sitting.
    # Without a sitting to remind within the look-ahead, ``reminder_start`` is empty and
    # ``reminders_from`` says when to look again.
    reminders_from = models.DateTimeField(default=REMINDERS_UNKNOWN, editable=False)
    reminders_until = models.DateTimeField(null=True, editable=False)
    reminder_start = models.DateTimeField(null=True, editable=False)
    reminder_kind = models.CharField(max_length=4, blank=True, editable=False)

    class Meta:
        ordering = ["first_start", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["status", "first_start"], name="meeting_status_start"),
            models.Index(fields=["group", "first_start"], name="meeting_group_start"),
            models.Index(fields=["status", "reminders_from"], name="meeting_reminders_from"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "reminders_from" not in update_fields:
            for field, value in FORGET_REMINDER.items():  # the schedule may have changed
                setattr(self, field, value)
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, *FORGET_REMINDER]
        super().save(*args, **kwargs)

    @property
    def is_series(self) -> bool:
        return bool(self.rrule)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def duration(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.duration_minutes)

    @property
    def dtstart(self) -> datetime.datetime:
        """The first sitting as an aware wall-clock time in the meeting's zone."""
        return datetime.datetime.combine(self.start_date, self.start_time, tzinfo=self.tz)

    @property
    def uid(self) -> str:
        # The site's host makes it unique across installations (RFC 5545: globally unique):
        # two cities' meeting #1 in one person's calendar are two meetings.
        host = urlsplit(settings.SITE_URL).hostname or "relais"
        return f"meeting-{self.pk}@{host}"


class Occurrence(models.Model):
    """One sitting of a meeting, keyed by its original start (UTC), created on first need."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="occurrences")
    original_start = models.DateTimeField(_("original start"))
    # Set only when the sitting was moved; otherwise it follows the meeting.
    moved_start = models.DateTimeField(_("moved to"), null=True, blank=True)
    moved_end = models.DateTimeField(_("moved end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_updated_at = models.DateTimeField(null=True, blank=True)
    minutes_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["original_start"]
        verbose_name = _("meeting occurrence")
        verbose_name_plural = _("meeting occurrences")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "original_start"], name="unique_occurrence_original_start"
            ),
            models.CheckConstraint(
                condition=Q(moved_start__isnull=True, moved_end__isnull=True)
                | Q(moved_start__isnull=False, moved_end__gt=models.F("moved_start")),
                name="occurrence_moved_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.original_start:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _forget_reminder_bound(self.meeting_id)

    def get_absolute_url(self) -> str:
        stamp = self.original_start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        return reverse("coordination:sitting", args=[self.meeting_id, stamp])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        meeting_id = self.meeting_id
        deleted = super().delete(*args, **kwargs)
        _forget_reminder_bound(meeting_id)
        return deleted

    @property
    def is_moved(self) -> bool:
        return self.moved_start is not None

    @property
    def is_override(self) -> bool:
        """Differs from the series in what a calendar shows (time, place, link)."""
        return self.is_moved or bool(self.place) or bool(self.online_url)

    @property
    def has_content(self) -> bool:
        """Holds something recorded at or for the sitting (lost if the row were dropped)."""
        return bool(self.minutes) or any(
            getattr(self, name).exists()
            for name in ("agenda_items", "attendance", "decisions", "action_items")
        )


class AgendaStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("agenda item status", "Proposed")
    ACCEPTED = "accepted", pgettext_lazy("agenda item status", "Accepted")
    DECLINED = "declined", pgettext_lazy("agenda item status", "Declined")


class AgendaItem(models.Model):
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, related_name="agenda_items"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AgendaStatus.choices, default=AgendaStatus.PROPOSED
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # An item that reviews a joint action plan: the sitting page links to its progress.
    reviews_plan = models.ForeignKey(
        "coordination.ActionPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("reviews the plan"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Whether an organisation was represented at a sitting."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("present"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "organisation"], name="unique_attendance_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.occurrence}"


class Decision(models.Model):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    activity = models.ForeignKey(
        "coordination.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("plan activity"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("action item status", "In progress")
    DONE = "done", pgettext_lazy("action item status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action item status", "Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItem(models.Model):
    """Something a meeting asked an organisation (or one person) to do by a date."""

    # The group is the sitting's, kept here so that visibility filters need no join.
    group = models.ForeignKey(
        CoordinationGroup, on_delete=models.CASCADE, related_name="action_items"
    )
    occurrence = models.ForeignKey(
        Occurrence,
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("meeting"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordination_action_items",
        verbose_name=_("owner organisation"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordination_action_items",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    progress_note = models.TextField(_("progress note"), blank=True)
    activity = models.ForeignKey(
        "coordination.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("plan activity"),
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the sweeps with a conditional update: each notice goes out once.
    due_reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_organisation__isnull=False) | Q(owner_user__isnull=False),
                name="action_item_has_an_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="action_status_due"),
            models.Index(fields=["group", "status"], name="action_group_status"),
            models.Index(fields=["owner_organisation", "status"], name="action_org_status"),
            models.Index(fields=["owner_user", "status"], name="action_user_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()


class ReminderKind(models.TextChoices):
    DAY_BEFORE = "24h", _("24 hours before")
    HOUR_BEFORE = "1h", _("1 hour before")


class MeetingReminder(models.Model):
    """One reminder of one sitting: the unique key lets two sweeps send it only once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    original_start = models.DateTimeField()
    kind = models.CharField(max_length=4, choices=ReminderKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting reminder")
        verbose_name_plural = _("meeting reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "original_start", "kind"], name="unique_meeting_reminder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.original_start:%Y-%m-%d %H:%M} {self.kind}"


# Alerts -----------------------------------------------------------------------------------------


class Alert(models.Model):
    """An urgent message to every member organisation of a group, acknowledged by each."""

    group = models.ForeignKey(CoordinationGroup, on_delete=models.CASCADE, related_name="alerts")
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_by_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent for"),
    )
    # The member organisations when it was sent: who has not acknowledged is measured on these.
    recipients = models.ManyToManyField(
        Organisation, related_name="+", verbose_name=_("recipient organisations")
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["group", "-created_at"], name="alert_group_created")]

    def __str__(self) -> str:
        return self.title


class AlertAcknowledgement(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="acknowledgements")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["acknowledged_at", "id"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "organisation"], name="unique_alert_acknowledgement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert} · {self.organisation}"


# Contingency plans ------------------------------------------------------------------------------

REVIEW_AFTER = relativedelta(months=12)


class ContingencyPlan(models.Model):
    """What the group does in a crisis scenario: who does what, whom to call."""

    group = models.ForeignKey(CoordinationGroup, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(_("scenario"), max_length=200)
    scenario = models.TextField(_("description of the scenario"))
    contacts = models.TextField(
        _("contacts"), blank=True, help_text=_("Hotlines and duty phones for this scenario.")
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("contingency plan")
        verbose_name_plural = _("contingency plans")

    def __str__(self) -> str:
        return self.title

    @property
    def review_due_on(self) -> datetime.date | None:
        return self.last_reviewed_on + REVIEW_AFTER if self.last_reviewed_on else None

    @property
    def needs_review(self) -> bool:
        """Never reviewed, or last reviewed twelve months ago or more."""
        due = self.review_due_on
        return due is None or due <= timezone.localdate()


class PlanRole(models.Model):
    """One member organisation's part in a plan."""

    plan = models.ForeignKey(ContingencyPlan, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    role = models.TextField(_("role"))
    contact = models.CharField(_("contact"), max_length=300, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("role in a plan")
        verbose_name_plural = _("roles in a plan")
        constraints = [
            models.UniqueConstraint(fields=["plan", "organisation"], name="unique_plan_role"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.organisation}"


# Calendar feed ----------------------------------------------------------------------------------


class CalendarFeed(models.Model):
    """A user's secret calendar address. The token in the URL is an HMAC of ``secret`` with the
    project's SECRET_KEY: neither a copy of the database nor the key alone gives the address.
    Regenerating replaces the secret (the old address stops working); revoking deletes the row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"


def _forget_reminder_bound(meeting_id: int) -> None:
    """A sitting was moved, cancelled, added or removed: the reminder sweep looks again (and
    ``updated_at`` moves, so that a sweep computing the old bound does not write it)."""
    Meeting.objects.filter(pk=meeting_id).update(**FORGET_REMINDER, updated_at=timezone.now())


# The mechanism, formalised (terms, pathways, joint action plans): its own module, one app.
from coordination.models.mechanism import (  # noqa: E402, F401 - re-exported
    ActionPlan,
    Activity,
    ActivityStatus,
    Aggregation,
    Commitment,
    Endorsement,
    Frequency,
    FundingStatus,
    Indicator,
    IndicatorKind,
    IndicatorReport,
    Objective,
    Pathway,
    PathwayStep,
    ReportReminder,
    ReportReminderKind,
    TermsOfReference,
)
