"""Periodic sweeps of the referral deadlines and retention (thin: selectors in, services out)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from referrals import selectors, services

logger = logging.getLogger(__name__)


@shared_task
def referral_expiry_sweep_task() -> int:
    """Expire referrals unanswered at twice their response time. Safe to run twice at once:
    each expiry locks its row and re-checks the state."""
    expired = 0
    for referral_id in selectors.referrals_due_for_expiry().values_list("pk", flat=True)[:500]:
        if services.referral_expire(referral_id=referral_id) is not None:
            expired += 1
    if expired:
        logger.info("Expired %d unanswered referrals", expired)
    return expired


@shared_task
def referral_retention_sweep_task() -> int:
    """End the receiving side's access to the personal data of referrals ended long enough ago."""
    before = timezone.now() - datetime.timedelta(days=settings.REFERRAL_RETENTION_DAYS)
    ids = list(selectors.referrals_past_retention(before=before).values_list("pk", flat=True)[:500])
    for referral_id in ids:
        services.referral_end_retention(referral_id=referral_id)
    return len(ids)
