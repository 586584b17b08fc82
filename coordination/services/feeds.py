"""Personal calendar feeds: a secret address per user, regenerated or revoked at will."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from coordination.models import (
    CalendarFeed,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def feed_regenerate(*, user: User) -> CalendarFeed:
    """A new secret address for the user's calendar; the previous one stops working."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"secret": secrets.token_urlsafe(32), "created_at": timezone.now()}
    )
    return feed


@transaction.atomic
def feed_revoke(*, user: User) -> bool:
    """The user stops their calendar address; calendars subscribed to it get 404 from now on."""
    deleted, _details = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)
