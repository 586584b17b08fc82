"""The mechanism, formalised: a group's terms of reference, its referral pathways and its joint
action plan with the indicators partners report or the platform computes.

- ``TermsOfReference`` is one *version*; a version is adopted by a meeting's ``Decision`` and
  then endorsed by each member organisation. The adopted version is the latest adopted one;
  earlier versions stay readable.
- ``Pathway``: for a service category and an area, the agreed steps and the directory
  ``Service`` rows for each. Contacts, hours and capacity are read from the services, never
  copied, so that a change to a service shows in every pathway at once.
- ``ActionPlan`` -> ``Objective`` -> ``Activity`` and ``Indicator``. An indicator is *reported*
  (``source`` blank: the lead organisation of its activity reports each period) or *computed*
  (``source`` names an entry of ``coordination.indicators``). ``IndicatorReport`` rows are never
  updated: a correction supersedes the current row and keeps it as history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coordination.models import CoordinationGroup, Decision
from organisations.models import Organisation, Service, ServiceCategory

# Terms of reference ----------------------------------------------------------------------------


class TermsOfReference(models.Model):
    group = models.ForeignKey(CoordinationGroup, on_delete=models.CASCADE, related_name="terms")
    version = models.PositiveIntegerField(_("version"))
    mandate = models.TextField(_("mandate"))
    scope = models.TextField(
        _("scope"), blank=True, help_text=_("The city, areas and kinds of help the group covers.")
    )
    decision_making = models.TextField(_("how decisions are taken"), blank=True)
    meeting_frequency = models.CharField(_("how often the group meets"), max_length=200, blank=True)
    change_note = models.TextField(
        _("what changed"), blank=True, help_text=_("What this version changes from the last.")
    )
    adopted_by = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_terms",
        verbose_name=_("adopted by the decision"),
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "-version"]
        verbose_name = _("terms of reference")
        verbose_name_plural = _("terms of reference")
        constraints = [
            models.UniqueConstraint(fields=["group", "version"], name="unique_terms_version"),
            models.CheckConstraint(
                condition=Q(adopted_at__isnull=True) | Q(adopted_by__isnull=False),
                name="terms_adopted_by_a_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} · v{self.version}"

    @property
    def is_adopted(self) -> bool:
        return self.adopted_at is not None


class Commitment(models.Model):
    """What one member organisation brings to the group, in one version of its terms."""

    terms = models.ForeignKey(
        TermsOfReference, on_delete=models.CASCADE, related_name="commitments"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    commitment = models.TextField(_("commitment"))
    focal_point = models.CharField(_("focal point"), max_length=200, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["terms", "organisation"], name="unique_commitment_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.terms} · {self.organisation}"


class Endorsement(models.Model):
    terms = models.ForeignKey(
        TermsOfReference, on_delete=models.CASCADE, related_name="endorsements"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    endorsed_at = models.DateTimeField(_("endorsed at"), default=timezone.now)

    class Meta:
        ordering = ["endorsed_at", "id"]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["terms", "organisation"], name="unique_endorsement_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.terms} · {self.organisation}"


# Referral pathways ------------------------------------------------------------------------------


class Pathway(models.Model):
    group = models.ForeignKey(CoordinationGroup, on_delete=models.CASCADE, related_name="pathways")
    category = models.CharField(_("category"), max_length=30, choices=ServiceCategory.choices)
    city = models.CharField(_("city"), max_length=100)
    area = models.CharField(
        _("area"), max_length=200, blank=True, help_text=_("Blank: the whole city.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    adopted_by = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_pathways",
        verbose_name=_("adopted by the decision"),
    )
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    # For the public "find help" pages: only its public services are ever shown there.
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_(
            "Shown to the public once adopted, with its public services only (never a "
            "confidential place)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "city", "area", "id"]
        verbose_name = _("referral pathway")
        verbose_name_plural = _("referral pathways")
        indexes = [models.Index(fields=["category", "city"], name="pathway_category_city")]
        constraints = [
            models.CheckConstraint(
                condition=Q(adopted_at__isnull=True) | Q(adopted_by__isnull=False),
                name="pathway_adopted_by_a_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PathwayStep(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("step"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    services = models.ManyToManyField(
        Service, related_name="pathway_steps", blank=True, verbose_name=_("services")
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")

    def __str__(self) -> str:
        return self.title


# Joint action plans -----------------------------------------------------------------------------


class ActionPlan(models.Model):
    group = models.ForeignKey(
        CoordinationGroup, on_delete=models.CASCADE, related_name="action_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_on = models.DateField(_("starts on"), help_text=_("The first day of a month."))
    end_on = models.DateField(_("ends on"), help_text=_("The last day of a month."))
    reporting_days = models.PositiveSmallIntegerField(
        _("days to report"),
        default=10,
        validators=[MaxValueValidator(60)],
        help_text=_("A period's report is due this many days after the period ends."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_on", "title", "id"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gt=models.F("start_on")), name="action_plan_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Objective(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=30, choices=ServiceCategory.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.title


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("activity status", "Planned")
    ONGOING = "ongoing", pgettext_lazy("activity status", "Ongoing")
    DONE = "done", pgettext_lazy("activity status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("activity status", "Cancelled")


class FundingStatus(models.TextChoices):
    FUNDED = "funded", _("Funded")
    PARTLY_FUNDED = "partly_funded", _("Partly funded")
    UNFUNDED = "unfunded", _("Unfunded")


class Activity(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities")
    objective = models.ForeignKey(
        Objective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("objective"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_activities",
        verbose_name=_("lead organisation"),
    )
    partners = models.ManyToManyField(
        Organisation, related_name="partner_activities", blank=True, verbose_name=_("partners")
    )
    area = models.CharField(_("area"), max_length=200, blank=True)
    start_on = models.DateField(_("starts on"))
    end_on = models.DateField(_("ends on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    funding_status = models.CharField(
        _("funding"), max_length=15, choices=FundingStatus.choices, default=FundingStatus.UNFUNDED
    )
    funding_amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO 4217 code, e.g. TND or EUR.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_on", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["lead_organisation", "status"], name="activity_lead")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status in (ActivityStatus.PLANNED, ActivityStatus.ONGOING) and (
            self.end_on < timezone.localdate()
        )


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Adds up over the periods (a count)")
    LATEST = "latest", _("The latest period's value (a rate or a level)")


class IndicatorKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    COMPUTED = "computed", _("Computed")


class Indicator(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="indicators")
    objective = models.ForeignKey(
        Objective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("objective"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("activity"),
        help_text=_("Its lead organisation reports a reported indicator."),
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, default=0)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    frequency = models.CharField(
        _("reporting frequency"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )
    aggregation = models.CharField(
        _("over the periods"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    # Blank: reported. Otherwise the key of a computed source (``coordination.indicators``).
    source = models.CharField(_("computed from"), max_length=50, blank=True)
    category = models.CharField(
        _("category"),
        max_length=30,
        choices=ServiceCategory.choices,
        blank=True,
        help_text=_("Computed indicators: count only this kind of help."),
    )
    disaggregated = models.BooleanField(
        _("by sex and age band"), default=False, help_text=_("Reports give a breakdown.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="") | Q(activity__isnull=False),
                name="reported_indicator_has_an_activity",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str:
        return IndicatorKind.COMPUTED if self.source else IndicatorKind.REPORTED


class IndicatorReport(models.Model):
    """One value reported for one period. A correction supersedes the current row."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("period"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    # [{"sex": "female", "age_band": "18-59", "value": 12}, ...] when the indicator asks for it.
    breakdown = models.JSONField(_("breakdown"), default=list, blank=True)
    document = models.FileField(_("document"), upload_to="indicator-reports/", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported for")
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period_start", "-created_at", "-id"]
        verbose_name = _("indicator report")
        verbose_name_plural = _("indicator reports")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_report_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.period_start:%Y-%m}"


class ReportReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    LATE = "late", _("Late")


class ReportReminder(models.Model):
    """One reminder of one period's report: the unique key lets two sweeps send it once."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reminders")
    period_start = models.DateField()
    kind = models.CharField(max_length=10, choices=ReportReminderKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "kind"], name="unique_report_reminder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_start:%Y-%m} {self.kind}"
