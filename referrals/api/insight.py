"""The statistics API: ``GET /api/v1/stats/referrals/`` and ``GET /api/v1/stats/profile/``.

Supervisors read their organisation's figures, coordinators their groups' (``scope``); anyone
else gets 403. The answer holds protected tables only: no case id, reference, name, free text
or date finer than the month."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.serializers import (
    QuerySerializer,
    StrictChoiceField,
    StrictIntegerField,
    optional_text,
)
from organisations.models import ServiceCategory
from referrals.insight import cache, profile, scope, statistics
from referrals.insight.forms import parse_month

CELL_SCHEMA = {
    "oneOf": [
        {"type": "number"},
        {"type": "string", "description": 'A hidden figure, e.g. "<5"', "pattern": "^<[0-9]+$"},
    ],
    "nullable": True,
}


MONTH = {
    "type": "string",
    "pattern": "^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$",
    "description": "YYYY-MM (a date is accepted too)",
}


@extend_schema_field(MONTH)
class MonthParameterField(serializers.CharField):
    """YYYY-MM (a date is accepted and widened to its month)."""

    def to_internal_value(self, data: object) -> object:
        text = super().to_internal_value(data)
        if len(text) > 10:
            raise serializers.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-03."))
        try:
            return parse_month(text)
        except ValueError:
            raise serializers.ValidationError(
                _("Enter a month as YYYY-MM, e.g. 2026-03.")
            ) from None


class StatsQuerySerializer(QuerySerializer):
    scope = serializers.RegexField(
        r"^(organisation|group):[1-9][0-9]{0,17}$",
        required=False,
        help_text='"organisation:<id>" or "group:<id>"; by default the first you may read.',
    )
    start = MonthParameterField(required=False, help_text="YYYY-MM (or a date)")
    end = MonthParameterField(required=False, help_text="YYYY-MM (or a date)")
    organisation = StrictIntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="One organisation of the scope"
    )
    category = StrictChoiceField(choices=ServiceCategory.choices, required=False)
    city = optional_text(max_length=100)


class ProfileQuerySerializer(StatsQuerySerializer):
    """The migration profile counts people, not referrals: no category."""

    category = None


@extend_schema_field(CELL_SCHEMA)
class CellField(serializers.Field):
    def to_representation(self, value: object) -> object:
        return value


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    values = serializers.DictField(child=CellField())


class TableSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = RowSerializer(many=True)
    total = RowSerializer(allow_null=True)


class ScopeOrganisationSerializer(serializers.Serializer):
    id = StrictIntegerField()
    name = serializers.CharField()


class ScopeSerializer(serializers.Serializer):
    kind = StrictChoiceField(choices=scope.ScopeKind.choices)
    id = StrictIntegerField()
    name = serializers.CharField()
    time_zone = serializers.CharField()
    organisations = ScopeOrganisationSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="YYYY-MM")
    end = serializers.CharField(help_text="YYYY-MM")
    organisation = StrictIntegerField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    period = PeriodSerializer()
    min_cell = StrictIntegerField(help_text='Counts under this are hidden as "<min_cell"')
    tables = TableSerializer(many=True)


class _ReportView(APIView):
    build = None
    query = StatsQuerySerializer

    def get(self, request: Request) -> Response:
        query = self.query(data=request.query_params)
        query.is_valid(raise_exception=True)
        options = query.validated_data
        chosen = scope.scope_resolve(request.user, options.get("scope", ""))
        filters = scope.filters_resolve(
            chosen,
            start=options.get("start"),
            end=options.get("end"),
            organisation=options.get("organisation"),
            category=options.get("category", ""),
            city=options.get("city", ""),
        )
        report = cache.report_cached(self.build, chosen, filters)
        return Response(report.as_dict())


class ReferralStatsView(_ReportView):
    build = staticmethod(statistics.referral_report)

    @extend_schema(
        operation_id="stats_referrals",
        parameters=[StatsQuerySerializer],
        responses={200: ReportSerializer},
        description="Referral counts by state, category, urgency and month, acceptance rate, "
        "decline reasons, response times (median and 90th percentile), who refers to whom "
        "and unmet needs, for a scope; small figures hidden.",
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class ProfileStatsView(_ReportView):
    build = staticmethod(profile.profile_report)
    query = ProfileQuerySerializer

    @extend_schema(
        operation_id="stats_profile",
        parameters=[ProfileQuerySerializer],
        responses={200: ReportSerializer},
        description="The migration profile: people registered by the scope's organisations by "
        "age band, sex, nationality, vulnerability, language and month; small figures hidden.",
    )
    def get(self, request: Request) -> Response:
        return super().get(request)
