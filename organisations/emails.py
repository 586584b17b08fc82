"""E-mails the registry sends itself (a new member's welcome with a set-password link)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _


def member_welcome_send(*, user_id: int) -> bool:
    """Send once: after the person has chosen a password, the link is spent and nothing goes."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password() or not user.email:
        return False
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "url": settings.SITE_URL.rstrip("/") + path}
    send_mail(
        subject=_("Your Relais account"),
        message=render_to_string("organisations/email/welcome.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True
