"""Constructed data for the insight tests: referrals and cases with chosen dates, written in bulk
(the services stamp "now"; statistics need the past)."""

from __future__ import annotations

import datetime
from typing import Any

from referrals import permissions
from referrals.models import Case, Referral, State

UTC = datetime.UTC


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def add_cases(owner: Any, n: int, *, created_at: datetime.datetime, **fields: Any) -> list[Case]:
    rows = Case.objects.bulk_create(Case(owner=owner, **fields) for _ in range(n))
    Case.objects.filter(pk__in=[c.pk for c in rows]).update(created_at=created_at)
    permissions.case_grant_owner_bulk(owner, rows)
    return rows


def add_referrals(
    sender: Any,
    receiver: Any,
    n: int,
    *,
    submitted_at: datetime.datetime,
    state: str = State.COMPLETED,
    category: str = "health",
    urgency: str = "normal",
    answer_after: list[float] | None = None,
    close_after: list[float] | None = None,
    acknowledge_after: list[float] | None = None,
    decline_reason: str = "",
    case: Case | None = None,
) -> list[Referral]:
    """``n`` referrals submitted at the same moment; ``*_after`` give hours per referral."""
    case = case or add_cases(sender, 1, created_at=submitted_at)[0]
    rows = []
    for index in range(n):
        values: dict[str, Any] = {
            "case": case,
            "from_organisation": sender,
            "to_organisation": receiver,
            "service_category": category,
            "urgency": urgency,
            "reason": "Confidential reason",
            "state": state,
            "submitted_at": submitted_at,
            "due_at": submitted_at + datetime.timedelta(days=14),
            "remind_at": submitted_at + datetime.timedelta(days=7),
            "expires_at": submitted_at + datetime.timedelta(days=28),
            "decline_reason": decline_reason,
        }
        if acknowledge_after:
            values["acknowledged_at"] = submitted_at + datetime.timedelta(
                hours=acknowledge_after[index]
            )
        if answer_after:
            values["answered_at"] = submitted_at + datetime.timedelta(hours=answer_after[index])
        if close_after:
            values["closed_at"] = submitted_at + datetime.timedelta(hours=close_after[index])
        rows.append(Referral(**values))
    created = Referral.objects.bulk_create(rows)
    permissions.referral_grant_bulk(created)
    return created
