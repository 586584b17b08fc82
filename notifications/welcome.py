"""A new account's welcome: the set-password e-mail of a person invited by e-mail.

It goes through the outbox like every e-mail (a notification and its delivery, written in the
transaction that creates the account): a broker outage delays it, never loses it, and the invite
never fails because of it. The link is made when the e-mail is sent, and nothing is sent once
the person has chosen a password.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from notifications import kinds
from notifications.services import Message, notify
from organisations.emails import member_welcome_link
from organisations.signals import account_invited

KIND = "account.welcome"


def register() -> None:
    kinds.register(
        KIND,
        _("The welcome of a new account"),
        choosable=False,
        email_link=member_welcome_link,
        link_label=_("Choose your password"),
    )
    account_invited.connect(_welcome, dispatch_uid="notifications-welcome")


def _welcome(sender: Any, *, user: Any, organisation: Any, **kwargs: Any) -> None:
    notify(
        recipients=[user],
        message=Message(
            kind=KIND,
            key=f"{KIND}:{user.pk}",
            template="notifications/welcome/welcome",
            context={"organisation": organisation.name, "username": user.username},
        ),
    )
