from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from notifications.models import Notification

if TYPE_CHECKING:
    from config.types import Actor


def notifications_for(user: Actor) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-id")


def unread_count(user: Actor) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
