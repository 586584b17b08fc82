"""Platform admins set up groups and name their coordinators; meetings are run in the product.

Member organisations and coordinators edited here are followed by ``group_sync_permissions``,
so that the guardian grants always match the relations.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from coordination import recurrence, services
from coordination.models import (
    ActionItem,
    ActionPlan,
    Activity,
    Alert,
    AlertAcknowledgement,
    Commitment,
    ContingencyPlan,
    CoordinationGroup,
    Endorsement,
    Indicator,
    IndicatorReport,
    Meeting,
    Objective,
    Occurrence,
    Pathway,
    PathwayStep,
    PlanRole,
    TermsOfReference,
)


@admin.register(CoordinationGroup)
class CoordinationGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "convening_organisation", "time_zone"]
    filter_horizontal = ["members", "coordinators"]
    search_fields = ["name"]

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.group_sync_permissions(group=form.instance)


class MeetingAdminForm(forms.ModelForm):
    # Explicit scheme: Django 5.x warns that the default for scheme-less input changes in 6.0.
    online_url = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = [
            "group",
            "title",
            "description",
            "start_date",
            "start_time",
            "time_zone",
            "duration_minutes",
            "rrule",
            "place",
            "online_url",
            "status",
            "invited_organisations",
        ]

    def clean(self) -> dict:
        data = super().clean()
        instance = self.instance
        for name in ("start_date", "start_time", "time_zone", "rrule"):
            if name in data:
                setattr(instance, name, data[name])
        if instance.start_date and instance.start_time and instance.time_zone:
            try:
                data["rrule"] = recurrence.normalise(
                    data.get("rrule") or "", dtstart=instance.dtstart
                )
            except (recurrence.RecurrenceError, ValueError) as error:
                self.add_error("rrule", getattr(error, "message", str(error)))
        return data


class OccurrenceInline(admin.TabularInline):
    model = Occurrence
    extra = 0
    fields = ["original_start", "status", "moved_start", "moved_end", "place", "note"]
    readonly_fields = ["original_start"]
    show_change_link = False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    form = MeetingAdminForm
    list_display = ["title", "group", "start_date", "start_time", "time_zone", "rrule", "status"]
    list_filter = ["status", "group"]
    search_fields = ["title", "group__name"]
    readonly_fields = ["first_start", "last_end", "sequence", "created_by"]
    filter_horizontal = ["invited_organisations"]
    inlines = [OccurrenceInline]

    def save_model(self, request: HttpRequest, obj: Meeting, form, change: bool) -> None:
        from coordination import schedule  # noqa: PLC0415 - admin only

        obj.sequence += 1
        obj.first_start, obj.last_end = schedule.bounds(
            obj, rows=obj.occurrences.all() if obj.pk else []
        )
        super().save_model(request, obj, form, change)


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "owner_organisation", "owner_user", "due_on", "status"]
    list_filter = ["status", "group"]
    search_fields = ["title"]
    raw_id_fields = ["occurrence", "owner_user", "created_by"]
    readonly_fields = ["due_reminded_at", "overdue_reminded_at", "completed_at"]


class AcknowledgementInline(admin.TabularInline):
    model = AlertAcknowledgement
    extra = 0
    readonly_fields = ["organisation", "acknowledged_by", "acknowledged_at"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "sent_by_organisation", "created_at"]
    list_filter = ["group"]
    inlines = [AcknowledgementInline]
    readonly_fields = ["sent_by", "created_at"]


class PlanRoleInline(admin.TabularInline):
    model = PlanRole
    extra = 0


@admin.register(ContingencyPlan)
class ContingencyPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "last_reviewed_on"]
    list_filter = ["group"]
    inlines = [PlanRoleInline]


# The mechanism: written in the product by coordinators; here platform admins look, and correct
# a typo. Reported values are a history: read-only.


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


class EndorsementInline(admin.TabularInline):
    model = Endorsement
    extra = 0
    readonly_fields = ["organisation", "endorsed_by", "endorsed_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TermsOfReference)
class TermsOfReferenceAdmin(admin.ModelAdmin):
    list_display = ["group", "version", "adopted_at"]
    list_filter = ["group"]
    readonly_fields = ["adopted_by", "adopted_at", "created_by"]
    inlines = [CommitmentInline, EndorsementInline]


class PathwayStepInline(admin.StackedInline):
    model = PathwayStep
    extra = 0
    filter_horizontal = ["services"]


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "category", "city", "adopted_at"]
    list_filter = ["category", "group"]
    search_fields = ["title", "city"]
    readonly_fields = ["adopted_by", "adopted_at", "created_by"]
    inlines = [PathwayStepInline]


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "start_on", "end_on"]
    list_filter = ["group"]
    search_fields = ["title"]
    readonly_fields = ["created_by"]
    inlines = [ObjectiveInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "lead_organisation", "status", "funding_status", "end_on"]
    list_filter = ["status", "funding_status"]
    search_fields = ["title"]
    list_select_related = ["plan", "lead_organisation"]
    filter_horizontal = ["partners"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "source", "frequency", "baseline", "target"]
    list_filter = ["frequency", "source"]
    search_fields = ["name"]
    list_select_related = ["plan"]


@admin.register(IndicatorReport)
class IndicatorReportAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "period_start",
        "value",
        "organisation",
        "created_at",
        "superseded_at",
    ]
    list_select_related = ["indicator", "organisation"]
    list_filter = ["period_start"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
