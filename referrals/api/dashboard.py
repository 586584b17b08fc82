"""The home page's "what needs me now" through the API: the same sections, counts and short lists
for every role the user holds (``referrals.insight.dashboard``)."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.serializers import (
    QuerySerializer,
    StrictBooleanField,
    StrictIntegerField,
)
from organisations.selectors import memberships_of
from referrals.insight import dashboard


class DashboardQuerySerializer(QuerySerializer):
    organisation = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="The organisation you act for (by default your first); another's: ignored.",
    )


class ItemSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = StrictIntegerField()
    url = serializers.CharField(help_text="The web page where the work is.")
    urgent = StrictBooleanField()


class EntrySerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.CharField()
    detail = serializers.CharField()
    when = serializers.CharField(allow_null=True)


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    items = ItemSerializer(many=True)
    entries = EntrySerializer(many=True)
    entries_title = serializers.CharField()
    more_url = serializers.CharField()
    more_label = serializers.CharField()
    empty = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    sections = SectionSerializer(many=True)
    can_see_statistics = StrictBooleanField()


class DashboardView(APIView):
    """What needs the user now, in the reader's language."""

    @extend_schema(parameters=[DashboardQuerySerializer], responses={200: DashboardSerializer})
    def get(self, request: Request) -> Response:
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        memberships = list(memberships_of(request.user))
        chosen = query.validated_data.get("organisation")
        membership = next(
            (m for m in memberships if m.organisation_id == chosen),
            memberships[0] if memberships else None,
        )
        board = dashboard.dashboard_for(
            user=request.user, membership=membership, memberships=memberships
        )
        data = asdict(board)
        for section in data["sections"]:
            for entry in section["entries"]:
                entry["when"] = entry["when"].isoformat() if entry["when"] else None
            section["title"] = str(section["title"])
            for item in section["items"]:
                item["label"] = str(item["label"])
        return Response(DashboardSerializer(data).data)
