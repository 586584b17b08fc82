"""Steering PostgreSQL's planner for the reads bounded by a page or a cap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction

_OFF = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off"
_BACK = "SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT"


@contextmanager
def row_by_row(using: str) -> Iterator[None]:
    """Plan the statements inside as walks of an index with a probe per row (nested loops).

    A page or a capped count stops after a few dozen rows, but where the rows are filtered by an
    ``EXISTS`` on the permission index the planner may choose to hash or merge every grant of
    the user's groups: 200,000 for a municipality, 88 ms for a page of overdue referrals whose
    92 candidates a probe each would have checked in 0.3 ms (issue 13). Only for statements
    whose reading stops early; a whole count is better hashed. On other databases, nothing."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    # No savepoint of its own: an error inside fails the caller's transaction, whose rollback
    # undoes the settings with everything else.
    with transaction.atomic(using=using, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_OFF)
        yield
        if nested:  # SET LOCAL lasts until the outermost transaction ends: undone here
            with connection.cursor() as cursor:
                cursor.execute(_BACK)
