from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindHelpConfig(AppConfig):
    name = "findhelp"
    verbose_name = _("Find help")
