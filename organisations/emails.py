"""The link of a new member's welcome (sent by notifications.welcome, through the outbox)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def member_welcome_link(user) -> str | None:
    """The set-password link, made when the e-mail is sent (no token is ever stored); None once
    the person has chosen a password or left: the link would be spent, nothing is sent."""
    if not user.is_active or user.has_usable_password():
        return None
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path
