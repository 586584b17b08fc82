"""Background work of the registry (thin: ids in, one service out)."""

from __future__ import annotations

from celery import shared_task

from organisations.emails import member_welcome_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def member_welcome_email_task(*, user_id: int) -> None:
    """Send a new member the link that lets them choose a password."""
    member_welcome_send(user_id=user_id)
