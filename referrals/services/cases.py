"""Cases: registered with minimal data, edited by their organisation; every read logged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations import names
from organisations import selectors as organisation_selectors
from organisations.models import Organisation
from referrals import permissions
from referrals.exceptions import (
    NotAllowed,
    NotVisible,
)
from referrals.models import (
    AccessAction,
    AccessChannel,
    AccessLog,
    BoxVisit,
    Case,
    Referral,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

from referrals.services.common import CASE_FIELDS, CASE_ROLES, _require

# Cases ------------------------------------------------------------------------------------------


def _clean_case_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CASE_FIELDS)
    _require(not unknown, _("Unknown field."), field=sorted(unknown)[0] if unknown else "")
    if "nationality" in fields:
        # A code, or a country's name in English, French or Arabic; other text is kept aside.
        text = str(fields["nationality"] or "").strip()
        code = names.country_code(text)
        fields = {**fields, "nationality": code}
        if text and not code:
            fields["nationality_other"] = text
    return fields


@transaction.atomic
def case_create(*, actor: User, organisation: Organisation, **fields: Any) -> Case:
    """A caseworker or supervisor registers a person for their organisation."""
    if not organisation_selectors.is_active_member(actor, organisation, CASE_ROLES):
        raise NotAllowed()
    case = Case(owner=organisation, created_by=actor, **_clean_case_fields(fields))
    case.full_clean()
    case.save()
    permissions.case_grant_owner(case)
    return case


@transaction.atomic
def case_update(*, case: Case, actor: User, **fields: Any) -> Case:
    """The owner's staff correct the record; snapshots already shared do not change."""
    if not permissions.can_manage_case(actor, case):
        raise NotVisible()
    for name, value in _clean_case_fields(fields).items():
        setattr(case, name, value)
    case.full_clean()
    case.save()
    return case


def outbox_seen(*, user: User, organisation: Organisation) -> None:
    """The user looked at the organisation's outbox now (the home page counts changes since)."""
    # One upsert: the same single query on every visit.
    BoxVisit.objects.bulk_create(
        [BoxVisit(user=user, organisation=organisation, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "organisation"],
        update_fields=["seen_at"],
    )


def access_record(
    *,
    user: User,
    cases: Iterable[Case] = (),
    referrals: Iterable[Referral] = (),
    action: str = AccessAction.VIEW,
    channel: str = AccessChannel.WEB,
) -> None:
    """Trace reads of personal data: one row per case or referral, in one insert."""
    now = timezone.now()
    rows = [
        AccessLog(user=user, case_id=case.pk, action=action, channel=channel, created_at=now)
        for case in cases
    ]
    rows += [
        AccessLog(
            user=user,
            case_id=referral.case_id,
            referral_id=referral.pk,
            action=action,
            channel=channel,
            created_at=now,
        )
        for referral in referrals
    ]
    if rows:
        AccessLog.objects.bulk_create(rows)
