"""Referrals to organisations that are not on the platform: recorded by the case's owner, with
their own two states (made, then the outcome the sender reports), granting nobody anything."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from organisations.models import ServiceCategory, UnlistedOrganisation
from referrals import permissions
from referrals.exceptions import Conflict, NotVisible, ValidationFailed
from referrals.models import SHAREABLE_FIELDS, Case, ExternalOutcome, ExternalReferral

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ENTRY_FIELDS = ("name", "city", "address", "phone", "email", "opening_hours")


def _entry(
    case: Case, recipient: UnlistedOrganisation | None, category: str, new: dict[str, Any]
) -> UnlistedOrganisation:
    if recipient is not None:
        if not (recipient.in_directory or recipient.recorded_by_id == case.owner_id):
            raise ValidationFailed(_("Choose an organisation of the list."), field="recipient")
        return recipient
    if not new.get("name", "").strip():
        raise ValidationFailed(_("Name the organisation, or choose one of the list."), field="name")
    # A new entry is known for the help it was first asked for.
    entry = UnlistedOrganisation(
        recorded_by=case.owner,
        category=category,
        in_directory=bool(new.get("in_directory")),
        **{name: (new.get(name) or "").strip() for name in ENTRY_FIELDS},
    )
    try:
        entry.full_clean(exclude=["recorded_by", "merged_into"])
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise ValidationFailed(messages[0], field=name) from None
    entry.save()
    return entry


@transaction.atomic
def external_referral_create(
    *,
    case: Case,
    actor: User,
    recipient: UnlistedOrganisation | None = None,
    service_category: str = "",
    reason: str = "",
    printed_fields: list[str] | tuple[str, ...] = (),
    **new_recipient: Any,
) -> ExternalReferral:
    """Record that the person was sent to ``recipient`` (an organisation of the list) or to a new
    one described by ``new_recipient`` (name, category, city, address, phone, e-mail, opening
    hours; ``in_directory`` offers it to others). ``printed_fields``: the case fields the person
    agreed to have printed on the slip they carry."""
    if not permissions.can_manage_case(actor, case):
        raise NotVisible()
    unknown = set(printed_fields) - set(SHAREABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("These fields cannot be printed."), field="printed_fields")
    category = service_category or (recipient.category if recipient else "")
    if category not in ServiceCategory.values:
        raise ValidationFailed(_("Choose the help needed."), field="service_category")
    entry = _entry(case, recipient, category, new_recipient)
    return ExternalReferral.objects.create(
        case=case,
        from_organisation=case.owner,
        recipient=entry,
        service_category=category,
        reason=reason,
        printed_fields=[name for name in SHAREABLE_FIELDS if name in printed_fields],
        created_by=actor,
    )


@transaction.atomic
def external_referral_report(
    *, referral_id: int, actor: User, outcome: str, note: str = ""
) -> ExternalReferral:
    """The sender says whether the person reached the organisation. Said once; an unknown
    outcome may be told later."""
    referral = (
        ExternalReferral.objects.select_for_update()
        .select_related("case")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or not permissions.can_manage_case(actor, referral.case):
        raise NotVisible()
    if outcome not in ExternalOutcome.values:
        raise ValidationFailed(_("Choose an outcome."), field="outcome")
    if not can_proceed(referral.report_outcome):
        raise Conflict(_("The outcome was reported already."))
    referral.report_outcome()
    referral.outcome, referral.outcome_note = outcome, note
    referral.outcome_at, referral.outcome_by = timezone.now(), actor
    referral.save()
    return referral
