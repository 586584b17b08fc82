from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from config import metrics  # noqa: PLC0415 - the registry is ready now
        from notifications import metrics as outbox_metrics  # noqa: PLC0415
        from notifications import welcome  # noqa: PLC0415

        welcome.register()
        metrics.register(outbox_metrics.collect)
