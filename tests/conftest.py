"""Fixtures shared by the whole suite: fixed personas in two organisations."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test.utils import override_settings
from rest_framework.test import APIClient

from tests.factories import MunicipalityFactory, OrganisationFactory, UserFactory, member


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    # Plain static storage (no collectstatic manifest) and fast hashing; HTTPS redirects off
    # because the test client speaks plain HTTP. WhiteNoise warns (an error here) when
    # STATIC_ROOT does not exist, as on a fresh checkout before collectstatic.
    with override_settings(
        STATIC_ROOT=tmp_path_factory.mktemp("static"),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECURE_SSL_REDIRECT=False,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        CELERY_TASK_ALWAYS_EAGER=True,
        # On in production; the two-factor tests turn it on, the others sign in with a password.
        REQUIRE_2FA_FOR_PRIVILEGED=False,
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, and at the end no other session holds the test database: a connection a
    thread left open (a live server's, a worker's) made dropping it fail at the very end."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def broker_down(monkeypatch):
    """The broker cannot be reached (nothing listens where it is said to be), as in a Redis
    outage: tasks are published for real (not run eagerly) and the connection is refused."""
    from config import health, publish
    from config.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")

    def reset(url: str, transport: str | None, eager: bool) -> None:
        app.conf.broker_url, app.conf.broker_transport = url, transport
        app.conf.task_always_eager = eager
        app._pool = None
        app.amqp._producer_pool = None
        publish.resume()
        health._broker_answer = None  # /health/ keeps the broker's answer a few seconds

    reset("redis://127.0.0.1:1/0", None, eager=False)
    yield
    reset(*saved, eager=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    # The API's sign-in throttle and the cached city list live in the cache: nothing carries over
    # from one test to the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(name="Municipality of Testville", city="Sfax")


@pytest.fixture
def cso(db):
    return OrganisationFactory(name="Helping Hands", city="Sfax")


@pytest.fixture
def other_cso(db):
    return OrganisationFactory(name="Far Away Aid", city="Tunis")


@pytest.fixture
def alice(cso):
    """Caseworker at the CSO."""
    return member(cso, "caseworker", username="alice")


@pytest.fixture
def anna(cso):
    """Administrator of the CSO."""
    return member(cso, "admin", username="anna")


@pytest.fixture
def bob(other_cso):
    """Administrator of another organisation."""
    return member(other_cso, "admin", username="bob")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys are slow like the route matrix: `make test-fast` leaves them out."""
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.slow)
