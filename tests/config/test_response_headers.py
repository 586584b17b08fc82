"""Responses holding personal data are never stored; browser features are off; the API schema
and docs need a signed-in user in production."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.config.test_settings import run_manage


def test_browser_features_are_switched_off(client, db):
    response = client.get("/accounts/login/")
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_the_schema_and_docs_need_a_signed_in_user_in_production(db, alice):
    anonymous = APIClient()
    assert anonymous.get("/api/schema/").status_code == 401
    assert anonymous.get("/api/docs/").status_code == 401
    anonymous.force_authenticate(alice)
    assert anonymous.get("/api/schema/").status_code == 200


def test_the_schema_can_be_published_by_configuration():
    code = (
        "from django.conf import settings; "
        "print(settings.SPECTACULAR_SETTINGS['SERVE_PERMISSIONS'])"
    )
    production = {"SECRET_KEY": "x" * 40, "ALLOWED_HOSTS": "relais.example"}
    closed = run_manage("shell", "-c", code, **production)
    assert "IsAuthenticated" in closed.stdout, closed.stderr
    published = run_manage("shell", "-c", code, API_DOCS_PUBLIC="1", **production)
    assert "AllowAny" in published.stdout, published.stderr
