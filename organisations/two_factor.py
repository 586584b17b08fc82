"""Two-factor sign-in (TOTP with django-otp, and single-use backup codes).

Anyone may turn it on. Supervisors, organisation admins and platform admins must when
``REQUIRE_2FA_FOR_PRIVILEGED`` is on (the production default): until they have set it up, the
only pages they reach are the set-up page and sign-out. A person with a device proves it after
the password, on the web (``TwoFactorMiddleware``) and when asking for an API token.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.models import Role
from organisations.selectors import memberships_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PRIVILEGED_ROLES = (Role.SUPERVISOR, Role.ADMIN)
BACKUP_CODES = 10
TOTP_DIGITS = 6


def is_privileged(user: object) -> bool:
    """Those whose account reaches many people's data or the platform's settings."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return memberships_of(user).filter(role__in=PRIVILEGED_ROLES).exists()


def is_required(user: object) -> bool:
    return bool(settings.REQUIRE_2FA_FOR_PRIVILEGED) and is_privileged(user)


def is_enabled(user: object) -> bool:
    """The person has a confirmed authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The authenticator being set up (one per person, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def provisioning_uri(device: TOTPDevice) -> str:
    """What the authenticator app reads from the QR code (issuer: ``OTP_TOTP_ISSUER``)."""
    return device.config_url


@transaction.atomic
def confirm(*, user: User, token: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it; returns fresh backup codes, or
    None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_digits(token)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return backup_codes_renew(user=user)


@transaction.atomic
def backup_codes_renew(*, user: User) -> list[str]:
    """Ten new single-use backup codes; the old ones stop working. They are shown once;
    django-otp keeps them as given (random, each good for one sign-in)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup")
    device.token_set.all().delete()
    codes = [secrets.token_hex(4) for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def verify(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code, or None: six digits go to the authenticator, anything
    else to the backup codes (used up). Each device makes the next try wait after a failure
    (django-otp's throttling), so codes cannot be guessed."""
    token = _digits(token).lower()
    if token.isdigit() and len(token) == TOTP_DIGITS:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    device = devices.select_for_update().first()
    if device is None or not device.verify_token(token):
        return None
    return device


@transaction.atomic
def disable(*, user: User) -> None:
    """Remove every device of the person (their own choice, or an admin's reset)."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()


def _digits(token: str) -> str:
    return "".join(str(token or "").split())
