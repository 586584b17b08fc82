from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        # Apps are loaded now.
        from config import metrics  # noqa: PLC0415
        from referrals import box_counts  # noqa: F401, PLC0415 - its signal receivers
        from referrals import metrics as referral_metrics  # noqa: PLC0415
        from referrals.insight import functions, indicators  # noqa: PLC0415
        from referrals.notifications import register_kinds  # noqa: PLC0415

        register_kinds()
        functions.connect()
        indicators.register()
        metrics.register(referral_metrics.collect)
