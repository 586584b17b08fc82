from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification


def notifications_for(user: object) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-id")


def unread_count(user: object) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
