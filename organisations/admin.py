"""Platform admins register and verify organisations, manage memberships and record partnerships.

Every change goes through the services, so that role groups stay in sync with memberships.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from config.errors import ServiceError
from organisations import permissions, services, two_factor
from organisations.models import (
    ApiToken,
    Membership,
    Organisation,
    Partnership,
    Service,
    UnlistedOrganisation,
)


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ["name", "category", "city", "capacity_status", "is_active"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "is_verified", "is_active"]
    list_filter = ["kind", "is_verified", "is_active", "city"]
    search_fields = ["name", "city"]
    readonly_fields = ["verified_at", "created_at", "updated_at"]
    inlines = [ServiceInline]
    actions = ["verify", "unverify"]
    # Explicit scheme: Django 5.x warns that the default for scheme-less input changes in 6.0.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Organisation, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        permissions.role_groups_ensure(organisation=obj)

    @admin.action(description=_("Verify the selected organisations"))
    def verify(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            services.organisation_set_verified(
                organisation=organisation, actor=request.user, verified=True
            )

    @admin.action(description=_("Withdraw verification"))
    def unverify(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            services.organisation_set_verified(
                organisation=organisation, actor=request.user, verified=False
            )


@admin.register(UnlistedOrganisation)
class UnlistedOrganisationAdmin(admin.ModelAdmin):
    """Organisations caseworkers referred people to off the platform: invite them (put them on
    the platform, then invite their admins from the members page) or merge them into a member."""

    list_display = ["name", "category", "city", "recorded_by", "in_directory", "merged_into"]
    list_filter = ["in_directory", "category", ("merged_into", admin.EmptyFieldListFilter)]
    search_fields = ["name", "city", "email"]
    autocomplete_fields = ["merged_into"]
    readonly_fields = ["recorded_by", "created_at"]
    actions = ["promote"]

    def save_model(
        self, request: HttpRequest, obj: UnlistedOrganisation, form, change: bool
    ) -> None:
        if change and "merged_into" in form.changed_data and obj.merged_into is not None:
            services.unlisted_merge(entry=obj, organisation=obj.merged_into, actor=request.user)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Put on the platform and merge"))
    def promote(self, request: HttpRequest, queryset: QuerySet[UnlistedOrganisation]) -> None:
        for entry in queryset.filter(merged_into__isnull=True):
            organisation = services.unlisted_promote(entry=entry, actor=request.user)
            messages.success(
                request,
                _("%(name)s is on the platform: invite its administrators from its members page.")
                % {"name": organisation.name},
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        return ["user", "organisation"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False  # deactivate instead: the history of who had access stays

    def save_model(self, request: HttpRequest, obj: Membership, form, change: bool) -> None:
        try:
            if not change or (obj.is_active and "is_active" in form.changed_data):
                membership = services.membership_add(
                    organisation=obj.organisation, user=obj.user, role=obj.role, actor=request.user
                )
                obj.pk = membership.pk
            elif not obj.is_active:
                services.membership_deactivate(membership=obj, actor=request.user)
            else:
                services.membership_change_role(membership=obj, role=obj.role, actor=request.user)
        except ServiceError as error:
            messages.error(request, str(error.message))


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "category", "city", "capacity_status", "is_active"]
    list_filter = ["category", "capacity_status", "city"]
    search_fields = ["name", "organisation__name"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["municipality", "organisation", "starts_on", "ends_on"]
    list_filter = ["municipality"]
    readonly_fields = ["recorded_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: Partnership, form, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


# Accounts ---------------------------------------------------------------------------------------
# Role groups carry the object permissions on cases and referrals. They change only through the
# membership services (above), never by hand: the stock user admin's "groups" and "user
# permissions" fields, and the group admin, would let a platform admin grant themselves (or
# anyone) access to personal data outside any membership, or a global permission that
# django-fsm would honour on every referral.


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["organisation", "role", "is_active"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RelaisUserAdmin(UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Access"),
            {
                "fields": ("is_active", "is_staff", "is_superuser"),
                "description": _(
                    "Access to cases and referrals comes only from memberships of "
                    "organisations (add them under Memberships)."
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    list_filter = ("is_staff", "is_superuser", "is_active")
    filter_horizontal = ()
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor sign-in (lost phone)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet) -> None:
        for user in queryset:
            two_factor.disable(user=user)
        self.message_user(
            request,
            _("Two-factor sign-in was reset: they set it up again at their next sign-in."),
            messages.SUCCESS,
        )

    def get_inlines(self, request: HttpRequest, obj: object = None) -> list:
        return [MembershipInline] if obj is not None else []


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, RelaisUserAdmin)
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
# knox registers its own token model, which ApiToken replaces (KNOX_TOKEN_MODEL); django-otp's
# device admins would show a person's TOTP secret and backup codes (the user admin resets them).
for model in list(admin.site._registry):
    if model._meta.app_label in ("knox", "otp_totp", "otp_static"):
        admin.site.unregister(model)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Platform admins see who holds API tokens and revoke them (delete); tokens are made only
    through the API (``POST /api/v1/auth/token/``), and stored hashed."""

    list_display = ["user", "name", "created", "expiry"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["user", "name", "token_key", "created", "expiry"]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
