"""Reads of coordination that other apps use (referrals asks who coordinates whom)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from coordination.models import CoordinationGroup
from organisations.models import Organisation


def coordinators_for_pair(*, first: Organisation, second: Organisation) -> QuerySet:
    """Active users who coordinate a group to which both organisations belong."""
    # Chained filters on the same multi-valued relation join twice: one group, both members.
    shared_groups = CoordinationGroup.objects.filter(members=first).filter(members=second)
    return (
        get_user_model()
        .objects.filter(is_active=True, coordinated_groups__in=shared_groups)
        .distinct()
    )


def is_coordinator_for_pair(*, user: object, first: Organisation, second: Organisation) -> bool:
    return coordinators_for_pair(first=first, second=second).filter(pk=user.pk).exists()


def coordinators_of(*, organisation: Organisation) -> QuerySet:
    """Active coordinators of every group the organisation belongs to (for escalations)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, coordinated_groups__members=organisation)
        .distinct()
    )
