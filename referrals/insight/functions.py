"""Database functions the statistics need, on PostgreSQL and on the embedded SQLite alike.

- ``Percentile(expr, 0.5)``: PostgreSQL's ``percentile_cont(f) WITHIN GROUP (ORDER BY expr)``;
  on SQLite the same continuous percentile as an aggregate registered on every connection.
- ``Seconds(end, start)``: the seconds between two timestamps.

NULLs are ignored by both, so ``Percentile(Case(When(..., then=Seconds(...))), 0.9)`` measures
a subset within one grouped query.
"""

from __future__ import annotations

import math

from django.db.backends.signals import connection_created
from django.db.models import Aggregate, FloatField, Func

SQLITE_PERCENTILE = "relais_percentile"


class Percentile(Aggregate):
    name = "Percentile"
    output_field = FloatField()

    def __init__(self, expression: object, fraction: float, **extra: object) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="percentile_cont",
            template=f"%(function)s({self.fraction!r}) WITHIN GROUP (ORDER BY %(expressions)s)",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function=SQLITE_PERCENTILE,
            template=f"%(function)s(%(expressions)s, {self.fraction!r})",
            **extra_context,
        )


class Seconds(Func):
    """``end - start`` in seconds (a float)."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class _ContinuousPercentile:
    """percentile_cont for SQLite: linear interpolation between the closest ranks."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value: float | None, fraction: float) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        if not self.values:
            return None
        values = sorted(self.values)
        position = self.fraction * (len(values) - 1)
        low, high = math.floor(position), math.ceil(position)
        return values[low] + (values[high] - values[low]) * (position - low)


def _register_sqlite_functions(sender: object, connection: object, **kwargs: object) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_PERCENTILE, 2, _ContinuousPercentile)


def connect() -> None:
    connection_created.connect(_register_sqlite_functions, dispatch_uid="relais_percentile")
