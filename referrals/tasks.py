"""Notification work and the periodic sweeps of referrals (thin: selectors in, services out)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from referrals import notifications, privacy, selectors, services
from referrals.models import ReferralEvent

logger = logging.getLogger(__name__)
BATCH = 500


@shared_task(ignore_result=True)
def referral_event_notify_task(*, event_id: int) -> bool:
    return notifications.event_notify(event_id=event_id)


@shared_task(ignore_result=True)
def referral_event_sweep_task() -> int:
    """Notify events whose task was lost (broker down, worker killed)."""
    settled = timezone.now() - datetime.timedelta(seconds=30)
    ids = list(
        ReferralEvent.objects.filter(notified_at__isnull=True, created_at__lt=settled)
        .order_by("created_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    notified = 0
    for event_id in ids:
        try:
            notified += notifications.event_notify(event_id=event_id)
        except Exception:
            # One event that keeps failing must not hold back the others; it stays unnotified
            # and is tried again at the next sweep.
            logger.exception("Could not notify referral event %s", event_id)
    return notified


@shared_task(ignore_result=True)
def incoming_digest_task() -> int:
    """The morning summaries of new referrals (hourly: each is sent once, a missed run caught
    up at the next)."""
    return notifications.incoming_digests_send()


@shared_task(ignore_result=True)
def referral_deadline_sweep_task() -> dict[str, int]:
    """The ladder of unanswered referrals: reminder at half the response time, escalation at
    the deadline, expiry at twice. Each rung is claimed once, however many sweeps run."""
    now = timezone.now()
    done = {"reminded": 0, "escalated": 0, "expired": 0}
    for referral_id in selectors.referrals_due_for_expiry(now=now).values_list("pk", flat=True)[
        :BATCH
    ]:
        done["expired"] += services.referral_expire(referral_id=referral_id) is not None
    for referral_id in selectors.referrals_due_for_escalation(now=now).values_list("pk", flat=True)[
        :BATCH
    ]:
        done["escalated"] += services.referral_deadline_step(
            referral_id=referral_id, step="escalation"
        )
    for referral_id in selectors.referrals_due_for_reminder(now=now).values_list("pk", flat=True)[
        :BATCH
    ]:
        done["reminded"] += services.referral_deadline_step(
            referral_id=referral_id, step="reminder"
        )
    if any(done.values()):
        logger.info("Referral deadlines: %s", done)
    return done


@shared_task(ignore_result=True)
def referral_retention_sweep_task() -> int:
    """End the receiving side's access to the personal data of referrals ended long enough ago."""
    before = timezone.now() - datetime.timedelta(days=settings.REFERRAL_RETENTION_DAYS)
    ids = list(
        selectors.referrals_past_retention(before=before).values_list("pk", flat=True)[:BATCH]
    )
    return sum(services.referral_end_retention(referral_id=referral_id) for referral_id in ids)


@shared_task(ignore_result=True)
def case_retention_sweep_task() -> int:
    """Anonymise cases whose referrals all ended, untouched for ``CASE_RETENTION_DAYS``."""
    before = timezone.now() - datetime.timedelta(days=settings.CASE_RETENTION_DAYS)
    ids = list(
        privacy.cases_past_retention(before=before)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    done = sum(privacy.case_anonymise(case_id=case_id, before=before) for case_id in ids)
    if done:
        logger.info("Cases anonymised after retention: %s", done)
    return done
