"""config.planner.row_by_row: the planner is steered for the statements inside only, whether
the caller is in a transaction or not, and an error inside is the caller's error."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from config.planner import row_by_row


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_hashjoin")
        hashjoin = cursor.fetchone()[0]
        cursor.execute("SHOW enable_mergejoin")
        return hashjoin, cursor.fetchone()[0]


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner (CI's PostgreSQL pass); elsewhere it does nothing")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_settings_end_with_the_block():
    _needs_postgresql()
    with row_by_row("default"):
        assert _settings() == ("off", "off")
    assert _settings() == ("on", "on")


@pytest.mark.django_db
def test_inside_a_longer_transaction_they_are_undone_at_the_end_of_the_block():
    _needs_postgresql()
    with transaction.atomic():
        with row_by_row("default"):
            assert _settings() == ("off", "off")
        assert _settings() == ("on", "on")


@pytest.mark.django_db
def test_an_error_inside_is_raised_and_the_settings_are_rolled_back():
    _needs_postgresql()
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        row_by_row("default"),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 / 0")
    assert _settings() == ("on", "on")


@pytest.mark.django_db
def test_elsewhere_it_changes_nothing():
    with row_by_row("default"), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
