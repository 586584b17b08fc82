"""Joint action plans through the API: plans and their progress, objectives, activities,
indicators and indicator reports. Members of the group read; coordinators write; the lead
organisation's supervisors and admins report. Anyone else: 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import object_id
from config.serializers import (
    ModelSerializer,
    OptionalChoiceField,
    QuerySerializer,
    StrictDecimalField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    WholeItem,
    optional_text,
)
from coordination import indicators, permissions, progress, selectors, services
from coordination.exceptions import NotVisible
from coordination.models import (
    ActionPlan,
    Activity,
    Indicator,
    IndicatorKind,
    IndicatorReport,
    Objective,
)
from coordination.services.action_plans import AGE_BANDS, SEXES
from organisations.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _person(user: User | None) -> str | None:
    return (user.get_full_name() or user.username) if user else None


# Serializers ------------------------------------------------------------------------------------


class ObjectiveSerializer(ModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "plan", "title", "description", "category", "position"]
        read_only_fields = ["id", "plan"]


class ObjectiveCreateSerializer(ObjectiveSerializer):
    plan = StrictPrimaryKeyRelatedField(queryset=ActionPlan.objects.none())

    class Meta(ObjectiveSerializer.Meta):
        read_only_fields = ["id"]

    def __init__(self, *args: Any, plans: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["plan"].queryset = plans


class PlanSerializer(ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    objectives = ObjectiveSerializer(many=True, read_only=True)
    can_coordinate = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "group",
            "group_name",
            "title",
            "description",
            "start_on",
            "end_on",
            "reporting_days",
            "objectives",
            "can_coordinate",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_can_coordinate(self, plan: ActionPlan) -> bool:
        return plan.group_id in self.context.get("coordinated", set())


class PlanWriteSerializer(ModelSerializer):
    class Meta:
        model = ActionPlan
        fields = ["title", "description", "start_on", "end_on", "reporting_days"]


class PlanCreateSerializer(PlanWriteSerializer):
    # A group the user does not see is no choice: a 400 naming the field.
    group = StrictPrimaryKeyRelatedField(queryset=ActionPlan.objects.none())

    class Meta(PlanWriteSerializer.Meta):
        fields = ["group", *PlanWriteSerializer.Meta.fields]

    def __init__(self, *args: Any, groups: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups


class PlanFilterSerializer(QuerySerializer):
    group = StrictIntegerField(required=False, min_value=1)


class ActivitySerializer(ModelSerializer):
    lead_organisation_name = serializers.CharField(source="lead_organisation.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "plan",
            "objective",
            "title",
            "description",
            "lead_organisation",
            "lead_organisation_name",
            "partners",
            "area",
            "start_on",
            "end_on",
            "status",
            "funding_status",
            "funding_amount",
            "funding_currency",
            "is_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActivityWriteSerializer(ModelSerializer):
    objective = StrictPrimaryKeyRelatedField(
        queryset=Objective.objects.all(), required=False, allow_null=True
    )
    lead_organisation = StrictPrimaryKeyRelatedField(queryset=Organisation.objects.active())
    partners = StrictPrimaryKeyRelatedField(
        queryset=Organisation.objects.active(), many=True, required=False
    )

    class Meta:
        model = Activity
        fields = [
            "objective",
            "title",
            "description",
            "lead_organisation",
            "partners",
            "area",
            "start_on",
            "end_on",
            "status",
            "funding_status",
            "funding_amount",
            "funding_currency",
        ]


class ActivityCreateSerializer(ActivityWriteSerializer):
    plan = StrictPrimaryKeyRelatedField(queryset=ActionPlan.objects.none())

    class Meta(ActivityWriteSerializer.Meta):
        fields = ["plan", *ActivityWriteSerializer.Meta.fields]

    def __init__(self, *args: Any, plans: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["plan"].queryset = plans


class PlanContentFilterSerializer(QuerySerializer):
    plan = StrictIntegerField(required=False, min_value=1)


class IndicatorSerializer(ModelSerializer):
    source = serializers.SerializerMethodField(help_text="The computed source; null: reported.")
    kind = serializers.ChoiceField(choices=IndicatorKind.choices, read_only=True)
    lead_organisation = serializers.SerializerMethodField()
    can_report = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "objective",
            "activity",
            "name",
            "kind",
            "unit",
            "baseline",
            "target",
            "frequency",
            "aggregation",
            "source",
            "category",
            "disaggregated",
            "position",
            "lead_organisation",
            "can_report",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_source(self, indicator: Indicator) -> str | None:
        return indicator.source or None

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_lead_organisation(self, indicator: Indicator) -> int | None:
        return indicator.activity.lead_organisation_id if indicator.activity else None

    def get_can_report(self, indicator: Indicator) -> bool:
        speaking = self.context.get("speaking", set())
        activity = indicator.activity
        return (
            not indicator.source
            and activity is not None
            and (activity.lead_organisation_id in speaking)
        )


class IndicatorWriteSerializer(ModelSerializer):
    objective = StrictPrimaryKeyRelatedField(
        queryset=Objective.objects.all(), required=False, allow_null=True
    )
    activity = StrictPrimaryKeyRelatedField(
        queryset=Activity.objects.all(), required=False, allow_null=True
    )
    source = OptionalChoiceField(
        choices=[],
        required=False,
        help_text="Null: reported by the activity's lead organisation; otherwise computed.",
    )

    class Meta:
        model = Indicator
        fields = [
            "objective",
            "activity",
            "name",
            "unit",
            "baseline",
            "target",
            "frequency",
            "aggregation",
            "source",
            "category",
            "disaggregated",
            "position",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = indicators.choices()


class IndicatorCreateSerializer(IndicatorWriteSerializer):
    plan = StrictPrimaryKeyRelatedField(queryset=ActionPlan.objects.none())

    class Meta(IndicatorWriteSerializer.Meta):
        fields = ["plan", *IndicatorWriteSerializer.Meta.fields]

    def __init__(self, *args: Any, plans: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["plan"].queryset = plans


class BreakdownSerializer(WholeItem):
    sex = serializers.ChoiceField(choices=SEXES)
    age_band = serializers.ChoiceField(choices=AGE_BANDS)
    value = StrictDecimalField(max_digits=14, decimal_places=2)


class IndicatorReportSerializer(ModelSerializer):
    breakdown = BreakdownSerializer(many=True, read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    reported_by_name = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorReport
        fields = [
            "id",
            "indicator",
            "period_start",
            "value",
            "note",
            "breakdown",
            "organisation",
            "organisation_name",
            "reported_by_name",
            "created_at",
            "superseded_at",
            "is_current",
        ]
        read_only_fields = fields

    def get_reported_by_name(self, report: IndicatorReport) -> str | None:
        return _person(report.reported_by)

    def get_is_current(self, report: IndicatorReport) -> bool:
        return report.superseded_at is None


class IndicatorReportCreateSerializer(serializers.Serializer):
    indicator = StrictPrimaryKeyRelatedField(queryset=Indicator.objects.none())
    period_start = serializers.DateField(help_text="The first day of one of its periods.")
    value = StrictDecimalField(max_digits=14, decimal_places=2)
    note = optional_text(max_length=5000)
    breakdown = BreakdownSerializer(many=True, required=False)

    def __init__(self, *args: Any, indicators: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if indicators is not None:
            self.fields["indicator"].queryset = indicators


class ReportFilterSerializer(QuerySerializer):
    indicator = StrictIntegerField(required=False, min_value=1)
    current = serializers.BooleanField(
        required=False, default=False, help_text="Only the current value of each period."
    )


class ProgressPeriodSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="The last day of the period.")
    due_on = serializers.DateField()
    actual = serializers.JSONField(
        help_text='A number, null (not reported, or nothing to measure) or "<5" (too few to show).'
    )
    expected = serializers.FloatField(help_text="The target pro-rated to this period.")
    status = serializers.ChoiceField(choices=progress.Status.choices)


class ProgressIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=IndicatorKind.choices)
    unit = serializers.CharField()
    baseline = serializers.FloatField()
    target = serializers.FloatField()
    frequency = serializers.CharField()
    aggregation = serializers.CharField()
    objective = serializers.IntegerField(allow_null=True)
    activity = serializers.IntegerField(allow_null=True)
    lead_organisation = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=progress.Status.choices)
    periods = ProgressPeriodSerializer(many=True)


def progress_data(series: list[progress.IndicatorProgress]) -> list[dict]:
    found = []
    for row in series:
        indicator = row.indicator
        found.append(
            {
                "id": indicator.pk,
                "name": indicator.name,
                "kind": str(indicator.kind),
                "unit": indicator.unit,
                "baseline": progress.number(indicator.baseline),
                "target": progress.number(indicator.target),
                "frequency": indicator.frequency,
                "aggregation": indicator.aggregation,
                "objective": indicator.objective_id,
                "activity": indicator.activity_id,
                "lead_organisation": (
                    indicator.activity.lead_organisation_id if indicator.activity else None
                ),
                "status": str(row.status),
                "periods": [
                    {
                        "period_start": p.period.start,
                        "period_end": p.period.last_day,
                        "due_on": p.period.due_on,
                        "actual": p.actual,
                        "expected": p.expected,
                        "status": str(p.status),
                    }
                    for p in row.periods
                ],
            }
        )
    return found


# Views ------------------------------------------------------------------------------------------


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Joint action plans of the user's groups, newest first."""

    serializer_class = PlanSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ActionPlan]:
        return (
            selectors.action_plans_visible(self.request.user)
            .select_related("group")
            .prefetch_related("objectives")
            .order_by("-start_on", "title", "id")
        )

    def get_serializer_context(self) -> dict:
        return {
            **super().get_serializer_context(),
            "coordinated": permissions.coordinated_group_ids(self.request.user),
        }

    @extend_schema(parameters=[PlanFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = PlanFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        plans = self.get_queryset()
        if "group" in filters.validated_data:
            plans = plans.filter(group_id=filters.validated_data["group"])
        page = self.paginate_queryset(plans)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request: Request) -> Response:
        """A coordinator of the group writes a plan for a period of whole months."""
        body = PlanCreateSerializer(
            data=request.data, groups=permissions.groups_visible(request.user)
        )
        body.is_valid(raise_exception=True)
        plan = services.action_plan_create(actor=request.user, **body.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=plan.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PlanWriteSerializer, responses={200: PlanSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan_id = object_id(pk)
        if not self.get_queryset().filter(pk=plan_id).exists():
            raise NotVisible()  # before the body is read
        body = PlanWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.action_plan_update(plan_id=plan_id, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=plan_id)).data)

    @extend_schema(
        responses={
            200: inline_serializer(
                "PlanProgress",
                {
                    "plan": serializers.IntegerField(),
                    "status_rule": serializers.CharField(),
                    "indicators": ProgressIndicatorSerializer(many=True),
                },
            )
        }
    )
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """Each indicator's baseline and target and, per period, the actual value against the
        pro-rated target with its status (the rule is in ``status_rule``)."""
        plan = (
            selectors.action_plans_visible(request.user)
            .select_related("group")
            .prefetch_related("group__members")
            .filter(pk=object_id(pk))
            .first()
        )
        if plan is None:
            raise NotVisible()
        return Response(
            {
                "plan": plan.pk,
                "status_rule": str(progress.STATUS_RULE),
                "indicators": progress_data(progress.plan_progress(plan)),
            }
        )


class _PlanContentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    http_method_names = ["get", "post", "patch", "head", "options"]

    def plans(self) -> QuerySet[ActionPlan]:
        return selectors.action_plans_visible(self.request.user)

    @extend_schema(parameters=[PlanContentFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = PlanContentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = self.get_queryset()
        if "plan" in filters.validated_data:
            rows = rows.filter(plan_id=filters.validated_data["plan"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ObjectiveViewSet(_PlanContentViewSet):
    """The objectives of the user's groups' plans."""

    serializer_class = ObjectiveSerializer

    def get_queryset(self) -> QuerySet[Objective]:
        return Objective.objects.filter(plan__in=self.plans()).order_by("plan", "position", "id")

    @extend_schema(request=ObjectiveCreateSerializer, responses={201: ObjectiveSerializer})
    def create(self, request: Request) -> Response:
        body = ObjectiveCreateSerializer(data=request.data, plans=self.plans())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        plan = data.pop("plan")
        objective = services.objective_save(actor=request.user, plan_id=plan.pk, **data)
        return Response(self.get_serializer(objective).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ObjectiveSerializer, responses={200: ObjectiveSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        objective = self.get_queryset().filter(pk=object_id(pk)).first()
        if objective is None:
            raise NotVisible()
        body = ObjectiveSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        objective = services.objective_save(
            actor=request.user,
            plan_id=objective.plan_id,
            objective_id=objective.pk,
            **body.validated_data,
        )
        return Response(self.get_serializer(objective).data)


class ActivityViewSet(_PlanContentViewSet):
    """The activities of the user's groups' plans: lead and partner organisations, dates,
    status and funding."""

    serializer_class = ActivitySerializer

    def get_queryset(self) -> QuerySet[Activity]:
        return (
            Activity.objects.filter(plan__in=self.plans())
            .select_related("lead_organisation")
            .prefetch_related(Prefetch("partners", queryset=Organisation.objects.only("pk")))
            .order_by("start_on", "id")
        )

    @extend_schema(request=ActivityCreateSerializer, responses={201: ActivitySerializer})
    def create(self, request: Request) -> Response:
        """A coordinator adds an activity, led by a member organisation."""
        body = ActivityCreateSerializer(data=request.data, plans=self.plans())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        plan = data.pop("plan")
        activity = services.activity_create(actor=request.user, plan_id=plan.pk, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=activity.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ActivityWriteSerializer, responses={200: ActivitySerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Coordinators change anything; the lead organisation's supervisors and admins change
        its ``status``."""
        activity_id = object_id(pk)
        if not self.get_queryset().filter(pk=activity_id).exists():
            raise NotVisible()
        body = ActivityWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.activity_update(actor=request.user, activity_id=activity_id, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=activity_id)).data)


class IndicatorViewSet(_PlanContentViewSet):
    """The indicators of the user's groups' plans, reported or computed."""

    serializer_class = IndicatorSerializer

    def get_queryset(self) -> QuerySet[Indicator]:
        return (
            Indicator.objects.filter(plan__in=self.plans())
            .select_related("activity")
            .order_by("plan", "position", "id")
        )

    def get_serializer_context(self) -> dict:
        return {
            **super().get_serializer_context(),
            "speaking": permissions.speaking_organisation_ids(self.request.user),
        }

    @extend_schema(request=IndicatorCreateSerializer, responses={201: IndicatorSerializer})
    def create(self, request: Request) -> Response:
        """A coordinator adds an indicator: reported (give its ``activity``) or computed (give
        its ``source``)."""
        body = IndicatorCreateSerializer(data=request.data, plans=self.plans())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        plan = data.pop("plan")
        indicator = services.indicator_create(actor=request.user, plan_id=plan.pk, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=indicator.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=IndicatorWriteSerializer, responses={200: IndicatorSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        indicator_id = object_id(pk)
        if not self.get_queryset().filter(pk=indicator_id).exists():
            raise NotVisible()
        body = IndicatorWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.indicator_update(
            actor=request.user, indicator_id=indicator_id, **body.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=indicator_id)).data)


class IndicatorReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Reported values with their history (``current=true``: only each period's value)."""

    serializer_class = IndicatorReportSerializer
    http_method_names = ["get", "post", "head", "options"]

    def indicators(self) -> QuerySet[Indicator]:
        return Indicator.objects.filter(plan__in=selectors.action_plans_visible(self.request.user))

    def get_queryset(self) -> QuerySet[IndicatorReport]:
        return (
            IndicatorReport.objects.filter(indicator__in=self.indicators())
            .select_related("organisation", "reported_by")
            .order_by("indicator", "period_start", "-created_at", "-id")
        )

    @extend_schema(parameters=[ReportFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = ReportFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reports = self.get_queryset()
        if "indicator" in filters.validated_data:
            reports = reports.filter(indicator_id=filters.validated_data["indicator"])
        if filters.validated_data.get("current"):
            reports = reports.filter(superseded_at__isnull=True)
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=IndicatorReportCreateSerializer, responses={201: IndicatorReportSerializer}
    )
    def create(self, request: Request) -> Response:
        """The lead organisation's supervisor or admin reports a period's value; reporting the
        same period again corrects it (the earlier value stays in the history)."""
        body = IndicatorReportCreateSerializer(data=request.data, indicators=self.indicators())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        indicator = data.pop("indicator")
        report = services.indicator_report(actor=request.user, indicator_id=indicator.pk, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=report.pk)).data,
            status=status.HTTP_201_CREATED,
        )
