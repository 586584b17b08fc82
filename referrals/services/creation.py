"""A referral drafted to an organisation (or a service), changed while a draft, referred onwards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from organisations.models import Organisation, Service, ServiceCategory
from referrals import permissions
from referrals.exceptions import (
    InvalidTransition,
    NotAllowed,
    NotVisible,
)
from referrals.models import (
    Case,
    EventName,
    Referral,
    State,
    Urgency,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from referrals.services.common import _require
from referrals.services.transitions import _event, _locked, referral_submit

# Referrals: creation ----------------------------------------------------------------------------


def _validate_target(
    *, case: Case, to_organisation: Organisation, service_category: str, service: Service | None
) -> None:
    _require(
        service_category in ServiceCategory.values, _("Unknown category."), field="service_category"
    )
    _require(
        to_organisation.is_active and to_organisation.pk != case.owner_id,
        _("Choose another active organisation."),
        field="to_organisation",
    )
    if service is not None:
        _require(
            service.organisation_id == to_organisation.pk and service.is_active,
            _("This service is not offered by the receiving organisation."),
            field="service",
        )
        _require(
            service.category == service_category,
            _("This service belongs to another category."),
            field="service",
        )


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    to_organisation: Organisation,
    service_category: str,
    reason: str,
    urgency: str = Urgency.NORMAL,
    service: Service | None = None,
    parent: Referral | None = None,
) -> Referral:
    """A caseworker or supervisor of the case's owner drafts a referral."""
    if not permissions.can_manage_case(actor, case):
        raise NotVisible()
    _validate_target(
        case=case,
        to_organisation=to_organisation,
        service_category=service_category,
        service=service,
    )
    _require(urgency in Urgency.values, _("Unknown urgency."), field="urgency")
    _require(bool(reason and reason.strip()), _("Say why you refer the person."), field="reason")
    referral = Referral.objects.create(
        case=case,
        from_organisation_id=case.owner_id,
        to_organisation=to_organisation,
        service_category=service_category,
        service=service,
        urgency=urgency,
        reason=reason.strip(),
        parent=parent,
        created_by=actor,
    )
    permissions.referral_grant_sender(referral)
    _event(referral, EventName.CREATED, actor=actor, to_state=State.DRAFT)
    return referral


@transaction.atomic
def referral_send(
    *,
    actor: User,
    case: Case,
    to_organisation: Organisation,
    service_category: str,
    reason: str,
    urgency: str = Urgency.NORMAL,
    service: Service | None = None,
    override_justification: str = "",
) -> Referral:
    """Draft and submit in one step (the web form's "Send"). A submission that is refused (no
    consent, no one to moderate...) leaves nothing behind: no stray draft to clean up."""
    referral = referral_create(
        actor=actor,
        case=case,
        to_organisation=to_organisation,
        service_category=service_category,
        reason=reason,
        urgency=urgency,
        service=service,
    )
    return referral_submit(
        referral_id=referral.pk, actor=actor, override_justification=override_justification
    )


@transaction.atomic
def referral_discard(*, referral_id: int, actor: User) -> None:
    """The sender throws a draft away. Nothing of it was shared and nobody else saw it, so
    nothing of it is kept (a sent referral is withdrawn instead, and stays on record)."""
    referral = _locked(referral_id, actor)
    if not permissions.is_sender(actor, referral):
        raise NotAllowed()
    if referral.state != State.DRAFT:
        raise InvalidTransition(referral.get_state_display(), _("discard"))
    referral.delete()


@transaction.atomic
def referral_update_draft(*, referral_id: int, actor: User, **fields: Any) -> Referral:
    """The sender edits a draft (never once submitted: the receiver would see it change)."""
    referral = _locked(referral_id, actor)
    if not permissions.is_sender(actor, referral):
        raise NotAllowed()
    if referral.state != State.DRAFT:
        raise InvalidTransition(referral.get_state_display(), _("edit"))
    allowed = {"to_organisation", "service_category", "service", "urgency", "reason"}
    unknown = set(fields) - allowed
    _require(
        not unknown, _("This field cannot be changed."), field=sorted(unknown)[0] if unknown else ""
    )
    for name, value in fields.items():
        setattr(referral, name, value)
    _validate_target(
        case=referral.case,
        to_organisation=referral.to_organisation,
        service_category=referral.service_category,
        service=referral.service,
    )
    _require(referral.urgency in Urgency.values, _("Unknown urgency."), field="urgency")
    _require(bool(referral.reason.strip()), _("Say why you refer the person."), field="reason")
    referral.save()
    return referral


@transaction.atomic
def referral_refer_onwards(*, referral_id: int, actor: User) -> Referral:
    """After a decline that suggests another organisation: a new, linked draft to it.

    Consent is per recipient, so the new draft needs its own consent when it is submitted.
    """
    declined = _locked(referral_id, actor)
    if declined.case.anonymised_at is not None:
        raise NotVisible()  # the person's record is gone
    if not permissions.is_sender(actor, declined):
        raise NotAllowed()
    if declined.state != State.DECLINED or declined.suggested_organisation is None:
        raise InvalidTransition(
            declined.get_state_display(), _("refer to the suggested organisation")
        )
    existing = declined.follow_ups.exclude(state=State.WITHDRAWN).order_by("pk").first()
    if existing is not None:
        return existing  # one click, one follow-up: a second click finds the first draft
    return referral_create(
        actor=actor,
        case=declined.case,
        to_organisation=declined.suggested_organisation,
        service_category=declined.service_category,
        urgency=declined.urgency,
        reason=declined.reason,
        parent=declined,
    )
