"""The person's rights over their data: retention, subject access and erasure.

- **Retention.** A case whose referrals have all ended and which nobody changed for
  ``CASE_RETENTION_DAYS`` is anonymised by a periodic task: what names, reaches or describes the
  person in words goes (given name, birth year, phone, notes, other nationality, the reference,
  every referral's free text, snapshot and timeline text); what the statistics count stays (age
  band, sex, nationality, languages, vulnerabilities, the month of registration, and the
  referrals' organisations, category, states and dates).
- **Subject access.** A supervisor or an organisation admin of the owning organisation exports
  everything held about the person, including who read it: JSON and a printable page.
- **Erasure.** The same people erase the record at the person's request: open referrals are
  withdrawn, then everything above goes, and the profile fields too.

Both requests are written to the access log. A row that is anonymised keeps its id (the
statistics count it) but leaves every list and page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict, ValidationFailed
from organisations.models import Role
from organisations.selectors import memberships_of
from referrals import permissions
from referrals.exceptions import NotAllowed, NotVisible
from referrals.models import (
    OPEN_STATES,
    AccessAction,
    AccessChannel,
    AccessLog,
    AgeBand,
    AnonymisedReason,
    Case,
    Referral,
    ReferralEvent,
    Sex,
    new_reference,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from config.types import Actor

# Who answers a person's requests for their organisation (not caseworkers: an export or an
# erasure is a decision, taken by someone accountable for the organisation's data).
RIGHTS_ROLES = (Role.SUPERVISOR, Role.ADMIN)

# Everything a referral holds in words about the person.
REFERRAL_TEXT_FIELDS = (
    "reason",
    "override_justification",
    "decline_note",
    "outcome_note",
    "withdraw_reason",
    "moderation_note",
)


# Who may ---------------------------------------------------------------------------------------


def rights_cases(user: Actor) -> QuerySet[Case]:
    """Cases whose person's requests the user answers: their supervisors' and admins'."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    organisations = memberships_of(user).filter(role__in=RIGHTS_ROLES).values("organisation")
    return Case.objects.filter(owner__in=organisations, anonymised_at__isnull=True)


def rights_case(user: Actor, pk: object) -> Case:
    """The case for a request: 403 for its caseworkers (they see it but may not decide), 404
    for everyone else."""
    try:
        pk = int(str(pk))
    except ValueError:
        raise NotVisible() from None
    case = rights_cases(user).select_related("owner").filter(pk=pk).first()
    if case is not None:
        return case
    visible = Case.objects.filter(pk=pk, anonymised_at__isnull=True).first()
    if visible is not None and permissions.can_manage_case(user, visible):
        raise NotAllowed()
    raise NotVisible()


def rights_case_by_reference(user: Actor, reference: str) -> Case | None:
    return rights_cases(user).filter(reference__iexact=reference.strip()).first()


# Subject access --------------------------------------------------------------------------------


def _when(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def subject_access(*, case: Case, actor: User, channel: str = AccessChannel.WEB) -> dict[str, Any]:
    """Everything held about the person of one case, and who read it; the export is logged."""
    referrals = list(
        Referral.objects.filter(case=case)
        .select_related("from_organisation", "to_organisation", "service", "consent")
        .prefetch_related("events__actor", "events__actor_organisation")
        .order_by("id")
    )
    log = (
        AccessLog.objects.filter(case=case)
        .select_related("user")
        .order_by("created_at", "id")
        .values_list(
            "created_at",
            "user__first_name",
            "user__last_name",
            "user__username",
            "action",
            "channel",
            "referral_id",
        )
    )
    data = {
        "generated_at": _when(timezone.now()),
        "generated_by": _person(actor),
        "organisation": case.owner.name,
        "case": {
            "reference": case.reference,
            "given_name": case.given_name,
            "age_band": case.age_band,
            "birth_year": case.birth_year,
            "sex": case.sex,
            "nationality": str(case.nationality or ""),
            "nationality_other": case.nationality_other,
            "languages": list(case.languages or []),
            "vulnerabilities": list(case.vulnerabilities or []),
            "phone": case.phone,
            "notes": case.notes,
            "registered_at": _when(case.created_at),
            "updated_at": _when(case.updated_at),
        },
        "consents": [
            {
                "recipient": consent.recipient.name,
                "fields": list(consent.fields),
                "given_at": _when(consent.given_at),
                "withdrawn_at": _when(consent.withdrawn_at),
            }
            for consent in case.consents.select_related("recipient").order_by("given_at", "id")
        ],
        "referrals": [
            {
                "id": referral.pk,
                "from_organisation": referral.from_organisation.name,
                "to_organisation": referral.to_organisation.name,
                "service_category": referral.service_category,
                "service": referral.service.name if referral.service else None,
                "urgency": referral.urgency,
                "state": referral.state,
                "reason": referral.reason,
                "shared_data": referral.shared_data,
                "shared_under_override": bool(referral.override_justification),
                "override_justification": referral.override_justification,
                "decline_reason": referral.decline_reason or None,
                "decline_note": referral.decline_note,
                "outcome": referral.outcome or None,
                "outcome_note": referral.outcome_note,
                "withdraw_reason": referral.withdraw_reason,
                "moderation_note": referral.moderation_note,
                "created_at": _when(referral.created_at),
                "submitted_at": _when(referral.submitted_at),
                "answered_at": _when(referral.answered_at),
                "closed_at": _when(referral.closed_at),
                "receiver_access_ended_at": _when(referral.shared_data_revoked_at),
                "timeline": [
                    {
                        "at": _when(event.created_at),
                        "event": event.name,
                        "organisation": event.actor_organisation.name
                        if event.actor_organisation
                        else None,
                        "by": _person(event.actor),
                        "text": event.text,
                    }
                    for event in sorted(referral.events.all(), key=lambda e: (e.created_at, e.pk))
                ],
            }
            for referral in referrals
        ],
        "access_log": [
            {
                "at": _when(at),
                "by": f"{first} {last}".strip() or username if username else None,
                "action": action,
                "channel": channel_,
                "referral": referral_id,
            }
            for at, first, last, username, action, channel_, referral_id in log
        ],
    }
    AccessLog.objects.create(user=actor, case=case, action=AccessAction.EXPORT, channel=channel)
    return data


# Anonymisation and erasure -------------------------------------------------------------------


def _scrub(case: Case, *, reason: str, now: datetime.datetime) -> None:
    """Remove what identifies the person of a locked case; erasure takes the profile too."""
    profile: dict[str, Any] = {}
    if reason == AnonymisedReason.ERASURE:
        profile = {
            "age_band": AgeBand.UNKNOWN,
            "sex": Sex.UNDISCLOSED,
            "nationality": "",
            "languages": [],
            "vulnerabilities": [],
        }
    Case.objects.filter(pk=case.pk).update(
        reference=_fresh_reference(),
        given_name="",
        birth_year=None,
        phone="",
        notes="",
        nationality_other="",
        created_at=TruncMonth("created_at"),
        updated_at=TruncMonth("created_at"),
        anonymised_at=now,
        anonymised_reason=reason,
        **profile,
    )
    referrals = Referral.objects.filter(case=case)
    # The receiver's right to the snapshot ends now, wherever it had not ended yet.
    permissions.referrals_revoke_receiver_shared_data(referrals)
    referrals.filter(shared_data_revoked_at__isnull=True).update(shared_data_revoked_at=now)
    referrals.update(shared_data={}, **dict.fromkeys(REFERRAL_TEXT_FIELDS, ""))
    ReferralEvent.objects.filter(referral__case=case).exclude(text="").update(text="")


def _fresh_reference() -> str:
    # The old reference may be written on a paper file: the anonymised row must not match it.
    while True:
        reference = new_reference()
        if not Case.objects.filter(reference=reference).exists():
            return reference


def cases_past_retention(*, before: datetime.datetime) -> QuerySet[Case]:
    """Cases whose referrals have all ended and that nothing changed since ``before``."""
    return Case.objects.filter(anonymised_at__isnull=True, updated_at__lt=before).exclude(
        Q(referrals__state__in=OPEN_STATES) | Q(referrals__updated_at__gte=before)
    )


@transaction.atomic
def case_anonymise(*, case_id: int, before: datetime.datetime) -> bool:
    """Anonymise one case past retention; the lock and the re-check make two sweeps safe."""
    case = (
        cases_past_retention(before=before).select_for_update(of=("self",)).filter(pk=case_id)
    ).first()
    if case is None:
        return False
    _scrub(case, reason=AnonymisedReason.RETENTION, now=timezone.now())
    return True


@dataclass(frozen=True)
class Erasure:
    case: Case
    withdrawn: list[int]


@transaction.atomic
def case_erase(
    *, case_id: int, actor: User, reference: str, channel: str = AccessChannel.WEB
) -> Erasure:
    """Erase a person's record at their request: open referrals are withdrawn (the receiver is
    told, without a word about the person), then nothing identifying is left.

    It cannot be undone, so the caller repeats the case's ``reference`` to confirm it.
    """
    held = rights_case(actor, case_id)  # 404 / 403 before anything is locked
    if (reference or "").strip().upper() != held.reference.upper():
        raise ValidationFailed(_("This is not the reference of this case."), field="reference")
    case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None or case.anonymised_at is not None:
        raise Conflict(_("This record was already erased."))
    from referrals import services  # noqa: PLC0415 - services is the larger module; no cycle

    withdrawn = list(
        Referral.objects.filter(case=case, state__in=OPEN_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for referral_id in withdrawn:
        services.referral_withdraw_for_erasure(referral_id=referral_id, actor=actor)
    _scrub(case, reason=AnonymisedReason.ERASURE, now=timezone.now())
    AccessLog.objects.create(user=actor, case=case, action=AccessAction.ERASE, channel=channel)
    case.refresh_from_db()
    return Erasure(case=case, withdrawn=withdrawn)
