"""The referral world (personas in five organisations), helpers to read what was sent, and
eager Celery tasks that raise instead of swallowing errors."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.core import mail

from notifications.models import Notification
from notifications.services import Message
from tests.referrals.conftest import World, build_world

if TYPE_CHECKING:
    from referrals.models import ReferralEvent

T0 = datetime.datetime(2030, 3, 4, 9, 0, tzinfo=datetime.UTC)
EVENT_TEMPLATE = "referrals/notifications/event"


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _eager_tasks_raise():
    # An error inside an eager task would otherwise be stored in a result nobody reads.
    from config.celery import app

    app.conf.task_eager_propagates = True
    yield
    app.conf.task_eager_propagates = False


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def message_for(event: ReferralEvent, *, kind: str = "referral.incoming", key: str = "") -> Message:
    """A message about a referral event, rendered with the referral templates."""
    return Message(
        kind=kind,
        key=key or f"test:{event.pk}:{kind}",
        template=EVENT_TEMPLATE,
        url=f"/referrals/{event.referral_id}/",
        context={"event": event, "referral": event.referral},
    )


def usernames(notifications: Any) -> set[str]:
    return {n.recipient.username for n in notifications}


def notified(**filters: Any) -> set[str]:
    """Usernames of the recipients of the notifications matching ``filters``."""
    return usernames(Notification.objects.filter(**filters).select_related("recipient"))


def mailed() -> list[str]:
    """The addressee of every e-mail in the outbox, in order (duplicates kept)."""
    return [address for message in mail.outbox for address in message.to]


def email_of(*users: Any) -> list[str]:
    return sorted(user.email for user in users)
