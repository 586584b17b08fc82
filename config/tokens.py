"""API tokens: made on sign-in through the API, revoked by signing out, and all of a person's at
once when their password changes or their account is deactivated (signals below)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver

from organisations.models import ApiToken


def token_create(*, user: object, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user; the clear text is returned once and never stored."""
    return ApiToken.objects.create(user=user, name=name.strip())


def tokens_revoke_all(*, user: object) -> int:
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


@receiver(pre_save, sender=get_user_model(), dispatch_uid="relais_revoke_tokens")
def revoke_on_password_change_or_deactivation(sender: type, instance: object, **kwargs: object):
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (
        update_fields is not None and not {"password", "is_active"} & set(update_fields)
    ):
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        tokens_revoke_all(user=instance)
