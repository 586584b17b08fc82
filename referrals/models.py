"""Cases, consent, referrals and their state machine, the transition log and the access log."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from config.choices import FastChoiceLabels
from organisations.models import Organisation, Service, ServiceCategory, UnlistedOrganisation


class AgeBand(models.TextChoices):
    CHILD_0_5 = "0-5", _("0–5 years")
    CHILD_6_11 = "6-11", _("6–11 years")
    CHILD_12_17 = "12-17", _("12–17 years")
    ADULT_18_25 = "18-25", _("18–25 years")
    ADULT_26_59 = "26-59", _("26–59 years")
    ADULT_60 = "60+", _("60 years and over")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Not disclosed")


class Vulnerability(models.TextChoices):
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    WOMAN_AT_RISK = "woman_at_risk", _("Woman at risk")
    DISABILITY = "disability", _("Disability")
    MEDICAL_NEED = "medical_need", _("Serious medical need")
    PREGNANT = "pregnant", _("Pregnant or breastfeeding")
    ELDERLY = "elderly", _("Older person at risk")
    SURVIVOR_OF_VIOLENCE = "survivor_of_violence", _("Survivor of violence or torture")
    TRAFFICKING = "trafficking", _("Victim of trafficking")
    HOMELESS = "homeless", _("Without shelter")


# The case fields a consent may name, in the order forms show them.
SHAREABLE_FIELDS: dict[str, object] = {
    "given_name": _("Given name"),
    "age_band": _("Age band"),
    "birth_year": _("Birth year"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "languages": _("Languages"),
    "vulnerabilities": _("Vulnerabilities"),
    "phone": _("Phone"),
    "notes": _("Notes"),
}
# Their codes: one enum in the API schema, whichever body names them (config.settings).
SHAREABLE_FIELD_NAMES = tuple(SHAREABLE_FIELDS)


class AnonymisedReason(models.TextChoices):
    RETENTION = "retention", _("the end of the retention period")
    ERASURE = "erasure", _("an erasure request")


def new_reference() -> str:
    """A pseudonymous case code: no name, no date, nothing that identifies the person."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "C-" + "".join(secrets.choice(alphabet) for _ in range(8))


def validate_birth_year(value: int | None) -> None:
    """From 1900 to this year (this year as of the day it is checked): one rule for the web
    form, the API and the admin, through the model."""
    if value is not None and not 1900 <= value <= timezone.localdate().year:
        raise ValidationError(_("Enter a year between 1900 and this year."), code="birth_year")


class Case(models.Model):
    """A person accompanied by an organisation (the owner), with minimal data."""

    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation")
    )
    reference = models.CharField(
        _("reference"), max_length=20, unique=True, default=new_reference, editable=False
    )
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True, validators=[validate_birth_year]
    )
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.UNDISCLOSED)
    # An ISO 3166-1 code, so that statistics can count by country and names show in every
    # language; text that names no country is kept in ``nationality_other``, never lost.
    nationality = CountryField(_("nationality"), blank=True)
    nationality_other = models.CharField(
        _("other nationality"),
        max_length=100,
        blank=True,
        help_text=_("When the country is not in the list, or the person is stateless."),
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when nothing identifying is left (``referrals.privacy``): the row stays for the
    # statistics, out of every list and page.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    anonymised_reason = models.CharField(
        _("anonymised because of"), max_length=10, choices=AnonymisedReason.choices, blank=True
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("manage_case", "Can read and change the whole case record")]
        indexes = [
            # The retention sweep, oldest first among the cases not yet anonymised.
            models.Index(
                fields=["updated_at"],
                condition=Q(anonymised_at__isnull=True),
                name="case_retention_due",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["content_object", "group", "permission"], name="case_grant"),
        ]


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Consent(models.Model):
    """The person allows the owner to share the named fields with one recipient organisation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    fields = models.JSONField(_("fields shared"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["case", "recipient"])]

    def __str__(self) -> str:
        return f"{self.case} → {self.recipient}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency (24 hours)")
    HIGH = "high", _("High (72 hours)")
    NORMAL = "normal", _("Normal (14 days)")


RESPONSE_TIME = {
    Urgency.EMERGENCY: datetime.timedelta(hours=24),
    Urgency.HIGH: datetime.timedelta(hours=72),
    Urgency.NORMAL: datetime.timedelta(days=14),
}


class State(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("referral state", "Draft")
    PENDING_MODERATION = (
        "pending_moderation",
        pgettext_lazy("referral state", "Awaiting moderation"),
    )
    SUBMITTED = "submitted", pgettext_lazy("referral state", "Submitted")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("referral state", "Received")
    ACCEPTED = "accepted", pgettext_lazy("referral state", "Accepted")
    IN_PROGRESS = "in_progress", pgettext_lazy("referral state", "In progress")
    ON_HOLD = "on_hold", pgettext_lazy("referral state", "On hold")
    COMPLETED = "completed", pgettext_lazy("referral state", "Completed")
    DECLINED = "declined", pgettext_lazy("referral state", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral state", "Withdrawn")
    EXPIRED = "expired", pgettext_lazy("referral state", "Expired")
    REJECTED = "rejected", pgettext_lazy("referral state", "Rejected")


AWAITING_ANSWER = (State.SUBMITTED, State.ACKNOWLEDGED)
IN_CARE = (State.ACCEPTED, State.IN_PROGRESS, State.ON_HOLD)
OPEN_STATES = (State.DRAFT, State.PENDING_MODERATION, *AWAITING_ANSWER, *IN_CARE)
CLOSED_STATES = (State.COMPLETED, State.DECLINED, State.WITHDRAWN, State.EXPIRED, State.REJECTED)


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    CLIENT_DECLINED = "client_declined", _("The person declined")
    UNREACHABLE = "unreachable", _("Unreachable")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    PROVIDED = "provided", _("Service provided")
    PARTIALLY_PROVIDED = "partially_provided", _("Partially provided")
    NOT_PROVIDED = "not_provided", _("Not provided")


def _permitted(action: str):
    """django-fsm asks ``permissions.can_fire``; it answers from guardian object permissions."""

    def check(referral: Referral, user: object) -> bool:
        from referrals import permissions  # noqa: PLC0415 - permissions imports this module

        return permissions.can_fire(user, referral, action)

    return check


class ReferralQuerySet(models.QuerySet["Referral"]):
    def overdue(self, *, now: datetime.datetime | None = None) -> ReferralQuerySet:
        return self.filter(state__in=AWAITING_ANSWER, due_at__lt=now or timezone.now())


class Referral(FastChoiceLabels, ConcurrentTransitionMixin, models.Model):
    """A case sent by one organisation to another for a service.

    Transition methods change only the state and its timestamps: the services in
    ``referrals.services`` lock the row, check, fire, save, log and notify.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received"
    )
    service_category = models.CharField(
        _("service requested"), max_length=30, choices=ServiceCategory.choices
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    reason = models.TextField(_("reason for referral"))
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True, db_index=True)

    # What the receiver sees: a snapshot of the consented fields, taken at submission.
    shared_data = models.JSONField(default=dict, blank=True)
    consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    override_justification = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_data_revoked_at = models.DateTimeField(null=True, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )

    submitted_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Deadline ladder for the sweeps: each step is claimed once (set when its notice is sent).
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    escalation_sent_at = models.DateTimeField(null=True, blank=True)

    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(blank=True)
    suggested_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expected_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    withdraw_reason = models.TextField(blank=True)
    moderation_note = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        permissions = [
            ("view_shared_data", "Can read the personal data shared with the referral"),
            ("act_as_sender", "Can submit and withdraw as the sending organisation"),
            ("act_as_receiver", "Can accept and decline as the receiving organisation"),
            ("supervise_receiving", "Can act on any accepted referral of the receiving side"),
        ]
        indexes = [
            models.Index(fields=["to_organisation", "state", "-id"]),
            models.Index(fields=["from_organisation", "state", "-id"]),
            # A box's pages, newest first, whatever its size: without them a box with few rows
            # (a municipality's outbox, a small CSO's inbox) walked the whole primary key.
            models.Index(fields=["to_organisation", "-id"], name="referral_inbox_newest"),
            models.Index(fields=["from_organisation", "-id"], name="referral_outbox_newest"),
            models.Index(fields=["state", "remind_at"]),
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["state", "expires_at"]),
            models.Index(fields=["state", "closed_at"]),
            # The home page and the inbox: what awaits an answer, by due time (index-only on
            # PostgreSQL, which also stores the escalation mark in it).
            models.Index(
                fields=["to_organisation", "state", "due_at"],
                include=["escalation_sent_at"],
                name="referral_inbox_due",
            ),
            # The retention sweep: ended referrals whose receiver still holds the personal data
            # (a few rows of a large table: its cost does not grow with the table).
            models.Index(
                fields=["closed_at"],
                condition=Q(state__in=CLOSED_STATES, shared_data_revoked_at__isnull=True),
                name="referral_retention_due",
            ),
            # The home page: work assigned to a person; accepted work assigned to nobody.
            models.Index(fields=["assignee", "state"], name="referral_assignee_state"),
            models.Index(
                fields=["to_organisation"],
                condition=Q(assignee__isnull=True, state__in=IN_CARE),
                name="referral_unassigned_in_care",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organisation=models.F("to_organisation")),
                name="referral_between_two_organisations",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.case} → {self.to_organisation}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return bool(self.state in AWAITING_ANSWER and self.due_at and self.due_at < timezone.now())

    # Transitions: state and timestamps only.

    def _start_clock(self, now: datetime.datetime) -> None:
        """The deadline ladder: reminder at half the response time, due, expiry at twice."""
        response_time = RESPONSE_TIME[self.urgency]
        self.submitted_at = now
        self.remind_at = now + response_time / 2
        self.due_at = now + response_time
        self.expires_at = now + response_time * 2

    @transition(
        field=state, source=State.DRAFT, target=State.SUBMITTED, permission=_permitted("submit")
    )
    def submit(self, *, now: datetime.datetime) -> None:
        self._start_clock(now)

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.PENDING_MODERATION,
        permission=_permitted("submit"),
    )
    def submit_for_moderation(self, *, now: datetime.datetime) -> None:
        self.submitted_at = now

    @transition(
        field=state,
        source=State.PENDING_MODERATION,
        target=State.SUBMITTED,
        permission=_permitted("moderate"),
    )
    def approve(self, *, now: datetime.datetime) -> None:
        self._start_clock(now)

    @transition(
        field=state,
        source=State.PENDING_MODERATION,
        target=State.REJECTED,
        permission=_permitted("moderate"),
    )
    def reject(self, *, now: datetime.datetime) -> None:
        self.closed_at = now

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.ACKNOWLEDGED,
        permission=_permitted("acknowledge"),
    )
    def acknowledge(self, *, now: datetime.datetime) -> None:
        self.acknowledged_at = now

    @transition(
        field=state, source=AWAITING_ANSWER, target=State.ACCEPTED, permission=_permitted("accept")
    )
    def accept(self, *, now: datetime.datetime) -> None:
        self.answered_at = now

    @transition(
        field=state, source=AWAITING_ANSWER, target=State.DECLINED, permission=_permitted("decline")
    )
    def decline(self, *, now: datetime.datetime) -> None:
        self.answered_at = now
        self.closed_at = now

    @transition(
        field=state, source=AWAITING_ANSWER, target=State.EXPIRED, permission=lambda r, u: False
    )
    def expire(self, *, now: datetime.datetime) -> None:
        """Fired by the deadline sweep only (no user may): twice the response time passed."""
        self.closed_at = now

    @transition(
        field=state, source=State.ACCEPTED, target=State.IN_PROGRESS, permission=_permitted("start")
    )
    def start(self, *, now: datetime.datetime) -> None:
        pass

    @transition(
        field=state,
        source=(State.ACCEPTED, State.IN_PROGRESS),
        target=State.ON_HOLD,
        permission=_permitted("hold"),
    )
    def hold(self, *, now: datetime.datetime) -> None:
        pass

    @transition(
        field=state, source=State.ON_HOLD, target=State.IN_PROGRESS, permission=_permitted("resume")
    )
    def resume(self, *, now: datetime.datetime) -> None:
        self.expected_date = None

    @transition(
        field=state, source=IN_CARE, target=State.COMPLETED, permission=_permitted("complete")
    )
    def complete(self, *, now: datetime.datetime) -> None:
        self.closed_at = now

    @transition(
        field=state, source=OPEN_STATES, target=State.WITHDRAWN, permission=_permitted("withdraw")
    )
    def withdraw(self, *, now: datetime.datetime) -> None:
        self.closed_at = now


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        # The lists' visibility probes each row's grants by object, group and permission:
        # answered from this index alone (issue 13).
        indexes = [
            models.Index(fields=["content_object", "group", "permission"], name="referral_grant"),
        ]


class EventName(models.TextChoices):
    CREATED = "created", _("created")
    SUBMITTED = "submitted", _("submitted")
    SENT_TO_MODERATION = "sent_to_moderation", _("sent to moderation")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    ACKNOWLEDGED = "acknowledged", _("received")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    STARTED = "started", _("started")
    PUT_ON_HOLD = "put_on_hold", _("put on hold")
    RESUMED = "resumed", _("resumed")
    COMPLETED = "completed", _("completed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXPIRED = "expired", _("expired")
    COMMENTED = "commented", _("commented")
    ASSIGNED = "assigned", _("assigned")
    OVERRIDE = "consent_override", _("consent overridden")
    REMINDED = "reminded", _("reminder sent")
    ESCALATED = "escalated", _("escalated")
    ACCESS_REVOKED = "access_revoked", _("access to personal data ended")


class ExternalState(models.TextChoices):
    MADE = "made", pgettext_lazy("off-platform referral state", "Made")
    REPORTED = "reported", pgettext_lazy("off-platform referral state", "Outcome reported")


class ExternalOutcome(models.TextChoices):
    REACHED = "reached", _("The person reached it")
    NOT_REACHED = "not_reached", _("The person did not reach it")
    UNKNOWN = "unknown", _("Unknown")


class ExternalReferral(ConcurrentTransitionMixin, models.Model):
    """A referral to an organisation that is not on the platform: recorded by the sender so that
    the case's history is complete and the statistics count it. Nobody else is granted access to
    anything; the person carries a slip with the fields they agreed to have printed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="external_referrals")
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="external_referrals_sent"
    )
    recipient = models.ForeignKey(
        UnlistedOrganisation,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("organisation"),
    )
    service_category = models.CharField(
        _("help needed"), max_length=30, choices=ServiceCategory.choices
    )
    reason = models.TextField(_("reason for referral"), blank=True)
    # The case fields the person agreed to have printed on the slip they carry.
    printed_fields = models.JSONField(_("fields printed on the slip"), default=list, blank=True)
    state = FSMField(
        default=ExternalState.MADE, choices=ExternalState.choices, protected=True, db_index=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ExternalOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("note"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral off the platform")
        verbose_name_plural = _("referrals off the platform")
        indexes = [models.Index(fields=["from_organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} -> {self.recipient_id}"

    def _may_report(self) -> bool:
        # Reported once; an unknown outcome may be told later, when the sender learns it.
        return self.state == ExternalState.MADE or self.outcome == ExternalOutcome.UNKNOWN

    @transition(
        field=state,
        source=[ExternalState.MADE, ExternalState.REPORTED],
        target=ExternalState.REPORTED,
        conditions=[_may_report],
    )
    def report_outcome(self) -> None:
        pass


class ReferralEvent(models.Model):
    """Every transition and comment, in order: who, from which state to which, when, what."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=30, choices=EventName.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when the people concerned were notified; the sweep catches up what a lost task missed.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["notified_at", "created_at"]),
            # The home page's "changed since I last looked": recent answers by name.
            models.Index(fields=["name", "created_at"], name="referralevent_name_created"),
        ]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self) -> str:
        return f"{self.referral_id} {self.name}"


class BoxVisit(models.Model):
    """When a user last opened an organisation's outbox: the home page counts what changed since."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_box_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.organisation_id} {self.seen_at:%Y-%m-%d %H:%M}"


class IncomingDigest(models.Model):
    """The daily summary of one day's arrivals at one organisation was sent (sent once)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    arrivals = models.PositiveIntegerField()
    recipients = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "organisation"], name="unique_incoming_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day}"


class AccessAction(models.TextChoices):
    VIEW = "view", _("viewed")
    LIST = "list", _("listed")
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")
    PRINT = "print", _("printed")


class AccessChannel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")


class AccessLog(models.Model):
    """One row per read of a case's or a referral's personal data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_logs")
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="access_logs"
    )
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    channel = models.CharField(max_length=10, choices=AccessChannel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-created_at"]),
            # The home page's "who read our cases lately" walks the newest rows first.
            models.Index(fields=["-created_at"], name="accesslog_newest"),
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.case_id}"
