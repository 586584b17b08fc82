from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        from coordination import indicator_sources  # noqa: PLC0415 - apps are loaded
        from coordination.notifications import register_kinds  # noqa: PLC0415

        register_kinds()
        indicator_sources.register()
