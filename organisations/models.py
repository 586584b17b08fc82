"""The registry: who is who, who does what where, and who trusts whom."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from knox.models import AbstractAuthToken

from organisations.hours import validate_opening_hours


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    CSO = "cso", _("Civil-society organisation")
    INTERNATIONAL = "international", _("International organisation")
    PUBLIC_SERVICE = "public_service", _("Public service")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


# The roles that see cases and referrals (an admin manages the organisation, not its cases).
CASE_ROLES = (Role.CASEWORKER, Role.SUPERVISOR)


class ServiceCategory(models.TextChoices):
    """The fixed taxonomy of the service directory (after Open Referral HSDS)."""

    EMERGENCY_SHELTER = "emergency_shelter", _("Emergency shelter")
    FOOD = "food", _("Food")
    HEALTH = "health", _("Health")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    DOCUMENTATION = "documentation", _("Documentation")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    GBV_RESPONSE = "gbv_response", _("Gender-based-violence response")
    OTHER = "other", _("Other")


class CapacityStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    WAITING_LIST = "waiting_list", _("Waiting list")
    FULL = "full", _("Full")
    ASSESSMENT_NEEDED = "assessment_needed", _("Assessment needed")


def active_partnership_q(prefix: str = "", *, today: datetime.date | None = None) -> Q:
    """Partnerships in force today: started, and not ended."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)

    def with_trust(self) -> OrganisationQuerySet:
        """Annotate ``trusted``: the organisation has a partnership in force with a municipality."""
        in_force = Partnership.objects.filter(active_partnership_q(), organisation=OuterRef("pk"))
        return self.annotate(trusted=Exists(in_force))


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    city = models.CharField(_("city"), max_length=100, db_index=True)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("Governorate, province or region.")
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Set by a platform administrator.")
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [
            ("manage_organisation", "Can manage the organisation's profile, services and members"),
        ]
        indexes = [models.Index(fields=["kind", "city"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_trusted(self) -> bool:
        """True while a partnership is in force; read the ``trusted`` annotation when present."""
        annotated = self.__dict__.get("trusted")
        if annotated is not None:
            return bool(annotated)
        return self.partnerships.filter(active_partnership_q()).exists()


class OrganisationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class OrganisationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organisation, on_delete=models.CASCADE)


class RoleGroup(models.Model):
    """The Django group that holds one role of one organisation; object permissions go to it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="role_groups"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role_group")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role"], name="unique_role_group"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_role_display()}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        """Memberships that give access now: membership, user and organisation all active."""
        return self.filter(is_active=True, user__is_active=True, organisation__is_active=True)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Who is told at once of each referral that arrives. An organisation without an intake team
    # tells all its caseworkers and supervisors; with one, the others read a daily summary (or
    # nothing, as each prefers): a municipality of sixty does not get sixty e-mails a referral.
    intake = models.BooleanField(
        _("on the intake team"),
        default=False,
        help_text=_("Told at once of every referral that arrives for the organisation."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(is_active=True, organisation__is_active=True)

    def public(self) -> ServiceQuerySet:
        """What anyone may see: active, marked public, and never a confidential place."""
        return self.active().filter(is_public=True, location_confidential=False)


class Service(models.Model):
    """A service an organisation offers, with its capacity as last confirmed."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=ServiceCategory.choices)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Language codes, e.g. ar, fr, en.")
    )
    city = models.CharField(_("city"), max_length=100)
    area_served = models.CharField(
        _("area served"), max_length=200, blank=True, help_text=_("District or neighbourhood.")
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_(
            "As map applications read them: Mo-Fr 08:30-12:00,14:00-17:00; Sa 09:00-12:00; PH off"
        ),
    )
    what_to_bring = models.TextField(
        _("what to bring"),
        blank=True,
        help_text=_("Documents or anything a person should bring, one per line."),
    )
    capacity_status = models.CharField(
        _("capacity"),
        max_length=20,
        choices=CapacityStatus.choices,
        default=CapacityStatus.AVAILABLE,
    )
    capacity_confirmed_at = models.DateTimeField(_("capacity confirmed at"), default=timezone.now)
    is_active = models.BooleanField(_("active"), default=True)
    # Open data and the public pages show a service only when its organisation says so.
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown to anyone: the open-data export and the public pages."),
    )
    location_confidential = models.BooleanField(
        _("confidential location"),
        default=False,
        help_text=_(
            "Its place must stay secret (a shelter for survivors of violence): never public."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["category", "organisation__name", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [models.Index(fields=["city", "category"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(is_public=True, location_confidential=True),
                name="a_confidential_service_is_never_public",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class UnlistedOrganisation(models.Model):
    """An organisation that is not on the platform, recorded by a caseworker who referred
    someone to it, so that the case's history is complete and the statistics count it. A
    platform admin may later invite it and merge it into the organisation it became."""

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=ServiceCategory.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, blank=True, validators=[validate_opening_hours]
    )
    # Offered to other caseworkers and to the platform admins (who may invite it); otherwise it
    # only names the recipient of one organisation's referrals.
    in_directory = models.BooleanField(_("saved in the directory"), default=False)
    recorded_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="unlisted_recorded"
    )
    merged_into = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unlisted_merged",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("unlisted organisation")
        verbose_name_plural = _("unlisted organisations")

    def __str__(self) -> str:
        return self.name


class Partnership(models.Model):
    """A formal agreement between a municipality and an organisation; in force, it makes trust."""

    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="partnerships_as_municipality",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("municipality"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="partnerships",
        verbose_name=_("organisation"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    scope = models.TextField(_("scope"))
    document = models.FileField(_("signed agreement"), upload_to="partnerships/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="partnership_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(municipality=models.F("organisation")),
                name="partnership_between_two_organisations",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.organisation}"

    def clean(self) -> None:
        if self.municipality_id and self.municipality.kind != OrganisationKind.MUNICIPALITY:
            raise ValidationError({"municipality": _("A partnership is made with a municipality.")})

    @property
    def is_in_force(self) -> bool:
        today = timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): stored as a digest only, expiring after
    ``API_TOKEN_TTL_DAYS``, several per person, each with a name saying what it is for (the
    tool it was made for). Revoked by signing out through the API, and all of a person's at
    once when their password changes or their account is deactivated."""

    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
