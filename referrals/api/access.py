"""The access log through the API: supervisors see who read their organisation's cases, when,
through what (as on the web's access log page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from config.errors import NotAllowed
from config.pagination import NewestFirst
from config.serializers import (
    ModelSerializer,
    QuerySerializer,
    StrictIntegerField,
)
from organisations.models import Role
from organisations.selectors import memberships_of
from referrals import selectors
from referrals.models import AccessLog

if TYPE_CHECKING:
    from django.db.models import QuerySet


class AccessEntrySerializer(ModelSerializer):
    by = serializers.SerializerMethodField(help_text="Who read it (null: an account removed).")
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    through_organisation = StrictIntegerField(
        source="referral.to_organisation_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The receiving organisation when it was read through a referral.",
    )

    class Meta:
        model = AccessLog
        fields = [
            "id",
            "created_at",
            "by",
            "action",
            "channel",
            "case",
            "case_reference",
            "referral",
            "through_organisation",
        ]
        read_only_fields = fields

    def get_by(self, entry: AccessLog) -> str | None:
        if entry.user is None:
            return None
        return entry.user.get_full_name() or entry.user.get_username()


class AccessLogFilterSerializer(QuerySerializer):
    organisation = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="One of the organisations you supervise (by default the first).",
    )


class AccessLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who read the cases of an organisation you supervise, newest first."""

    serializer_class = AccessEntrySerializer
    pagination_class = NewestFirst

    def get_queryset(self) -> QuerySet[AccessLog]:
        return AccessLog.objects.none()

    @extend_schema(parameters=[AccessLogFilterSerializer])
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        filters = AccessLogFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        supervised = [
            m.organisation
            for m in memberships_of(request.user).filter(role=Role.SUPERVISOR)
            if filters.validated_data.get("organisation") in (None, m.organisation_id)
        ]
        if not supervised:
            raise NotAllowed(_("The access log is for the supervisors of the organisation."))
        entries = selectors.access_log_for(user=request.user, organisation=supervised[0])
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
