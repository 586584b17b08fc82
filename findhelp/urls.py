from django.conf import settings
from django.urls import path, register_converter

from findhelp import views


class LanguageConverter:
    """One of the interface's languages (settings.LANGUAGES): adding one adds its pages."""

    regex = "|".join(code for code, _name in settings.LANGUAGES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "language")

app_name = "findhelp"

urlpatterns = [
    path("", views.start, name="start"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("<language:language>/", views.directory, name="directory"),
    path("<language:language>/pathways/", views.pathways, name="pathways"),
    path("<language:language>/manifest.webmanifest", views.manifest, name="manifest"),
]
