"""API tokens: made on sign-in through the API, revoked by signing out, and all of a person's at
once when their password changes or their account is deactivated (signals below)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.signals import token_expired

from organisations.models import ApiToken


def token_create(*, user: object, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user; the clear text is returned once and never stored. The user's
    expired tokens go now (not on every request, see ``TokenAuthentication``)."""
    ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return ApiToken.objects.create(user=user, name=name.strip())


class TokenAuthentication(knox_auth.TokenAuthentication):
    """django-rest-knox's token authentication, without its sweep of all the person's other
    tokens on every request (a query and a loop per API call, to delete expired ones): they are
    deleted when the person signs in again, and an expired token is refused all the same. The
    token presented is still deleted once expired, as knox does."""

    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class TokenScheme(KnoxTokenScheme):
    """The same security scheme in the OpenAPI document as knox's own (the API contract)."""

    target_class = "config.tokens.TokenAuthentication"


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
