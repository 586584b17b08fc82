"""Alerts: broadcast to every member organisation, acknowledged by each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coordination import notifications, permissions
from coordination.exceptions import (
    AlreadyDone,
    NotAllowed,
    NotVisible,
)
from coordination.models import (
    Alert,
    AlertAcknowledgement,
    CoordinationGroup,
)
from organisations.models import Organisation, Role
from organisations.selectors import memberships_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

from coordination.services.common import member_organisations_of, require, visible_group


@transaction.atomic
def alert_broadcast(
    *,
    actor: User,
    group: CoordinationGroup,
    title: str,
    message: str,
    organisation: Organisation | None = None,
) -> Alert:
    """A coordinator, or a supervisor of a member organisation, alerts every member
    organisation at once; each is asked to acknowledge."""
    group = visible_group(actor, group.pk)
    if not permissions.can_broadcast(actor, group):
        raise NotAllowed()
    coordinates = permissions.can_coordinate(actor, group)
    supervised = [
        m.organisation
        for m in memberships_of(actor)
        if m.role == Role.SUPERVISOR and group.members.filter(pk=m.organisation_id).exists()
    ]
    mine = member_organisations_of(actor, group)
    if organisation is not None:
        allowed = mine if coordinates else supervised
        require(
            organisation in allowed,
            _("Send for one of your organisations in the group."),
            field="organisation",
        )
    elif not coordinates:
        if not supervised:
            raise NotAllowed()
        organisation = supervised[0]
    elif mine:
        organisation = mine[0]
    title, message = (title or "").strip(), (message or "").strip()
    require(bool(title), _("Give the alert a title."), field="title")
    require(len(title) <= 200, _("Keep the title under 200 characters."), field="title")
    require(bool(message), _("Write the message."), field="message")
    alert = Alert.objects.create(
        group=group, title=title, message=message, sent_by=actor, sent_by_organisation=organisation
    )
    alert.recipients.set(group.members.filter(is_active=True))
    if organisation is not None:
        # The sender's own organisation knows already.
        AlertAcknowledgement.objects.create(
            alert=alert, organisation=organisation, acknowledged_by=actor
        )
    notifications.alert_broadcast(alert=alert)
    return alert


@transaction.atomic
def alert_acknowledge(
    *, alert_id: int, actor: User, organisation: Organisation | None = None
) -> AlertAcknowledgement:
    """Staff of a recipient organisation acknowledge the alert for their organisation."""
    alert = Alert.objects.select_related("group").filter(pk=alert_id).first()
    if alert is None or not permissions.can_view(actor, alert.group):
        raise NotVisible()
    recipient_ids = set(alert.recipients.values_list("pk", flat=True))
    mine = [m.organisation for m in memberships_of(actor) if m.organisation_id in recipient_ids]
    if not mine:
        raise NotAllowed(_("Only staff of a recipient organisation acknowledge an alert."))
    if organisation is None:
        done = set(alert.acknowledgements.values_list("organisation_id", flat=True))
        organisation = next((o for o in mine if o.pk not in done), mine[0])
    elif organisation not in mine:
        raise NotAllowed(_("Acknowledge for one of your organisations."))
    try:
        with transaction.atomic():
            return AlertAcknowledgement.objects.create(
                alert=alert, organisation=organisation, acknowledged_by=actor
            )
    except IntegrityError:
        raise AlreadyDone(_("Your organisation acknowledged this alert already.")) from None
