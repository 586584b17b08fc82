from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # The project's own deployment checks (config is not an app; this one loads first).
        from config import checks, columns, lookups, middleware, tokens  # noqa: F401, PLC0415 - signals
        from organisations import middleware as _two_factor_signals  # noqa: F401, PLC0415

        lookups.register()
        columns.register()
