from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from referrals.notifications import register_kinds  # noqa: PLC0415 - apps are loaded now

        register_kinds()
