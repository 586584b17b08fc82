"""Consent: recorded per recipient and per field; withdrawing it calls open referrals back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import Conflict
from organisations.models import Organisation
from referrals import permissions
from referrals.exceptions import (
    NotVisible,
)
from referrals.models import (
    CLOSED_STATES,
    OPEN_STATES,
    SHAREABLE_FIELDS,
    Case,
    Consent,
    EventName,
    Referral,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import User

from referrals.services.common import _require
from referrals.services.transitions import _event, _fire, _revoke_receiver_now

# Consent ----------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *, case: Case, actor: User, recipient: Organisation, fields: Iterable[str]
) -> Consent:
    """Record the person's consent to share the named fields with one organisation."""
    if not permissions.can_manage_case(actor, case):
        raise NotVisible()
    fields = list(dict.fromkeys(fields))
    _require(bool(fields), _("Choose at least one field."), field="fields")
    unknown = [name for name in fields if name not in SHAREABLE_FIELDS]
    _require(not unknown, _("Unknown field: %s.") % ", ".join(unknown), field="fields")
    _require(
        recipient.is_active and recipient.pk != case.owner_id,
        _("Choose another active organisation."),
        field="recipient",
    )
    return Consent.objects.create(case=case, recipient=recipient, fields=fields, recorded_by=actor)


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: User) -> Consent:
    """The person withdraws consent: open referrals it covers are withdrawn, access revoked."""
    if not permissions.can_manage_case(actor, consent.case):
        raise NotVisible()
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise Conflict(_("This consent was already withdrawn."))
    now = timezone.now()
    consent.withdrawn_at = now
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    covered = Referral.objects.filter(
        case=consent.case, to_organisation=consent.recipient, state__in=OPEN_STATES
    ).values_list("pk", flat=True)
    for referral_id in covered:
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        if referral.consent_id not in (None, consent.pk) and referral.consent.is_active:
            continue  # another consent still covers it
        _fire(
            referral,
            "withdraw",
            actor=actor,
            event=EventName.WITHDRAWN,
            text=_("Consent withdrawn by the person."),
            check_permission=False,
        )
        referral.withdraw_reason = _("Consent withdrawn by the person.")
        _revoke_receiver_now(referral)
        referral.save(update_fields=["withdraw_reason", "shared_data_revoked_at"])
    # Closed referrals it covered keep their outcome, but the receiver's copy of the personal
    # data goes now rather than at the end of the retention period.
    closed = Referral.objects.filter(
        consent=consent, state__in=CLOSED_STATES, shared_data_revoked_at__isnull=True
    ).select_related("to_organisation")
    for referral in closed:
        referral.shared_data_revoked_at = now
        referral.save(update_fields=["shared_data_revoked_at", "updated_at"])
        permissions.referral_revoke_receiver_shared_data(referral)
        _event(
            referral,
            EventName.ACCESS_REVOKED,
            actor=actor,
            text=_("Consent withdrawn by the person."),
        )
    return consent
