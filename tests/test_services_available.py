"""When CI points the suite at PostgreSQL and Redis, they must be the ones used and must answer.

A missing service fails here; it is never skipped.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_it_uses_the_database_ci_asked_for():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres", "pgsql")) else "sqlite"

    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_it_reaches_the_broker_ci_asked_for():
    from config.celery import app

    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    if settings.CELERY_BROKER_URL.startswith("redis"):
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=2, timeout=5)
            assert conn.connected
