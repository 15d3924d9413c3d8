"""Aggregates the database computes that Django does not ship: the percentile of a column.

PostgreSQL has `percentile_cont(f) WITHIN GROUP (ORDER BY x)`, the continuous percentile
(linear interpolation between the two nearest ranks, nulls ignored). SQLite has none, so the
same aggregate is registered on every SQLite connection as `qyzmet_percentile_cont(x, f)` and
computes the same value the same way; the query keeps its shape (one GROUP BY) on both.
"""

from __future__ import annotations

import math

from django.db.models import Aggregate, FloatField


class Percentile(Aggregate):
    """The continuous `fraction` percentile of `expression` in each group (None for no values)."""

    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("a percentile's fraction is between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="qyzmet_percentile_cont",
            template="%(function)s(%(expressions)s, %(fraction)s)",
            **extra_context,
        )


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over `values` (nulls dropped): the value at rank
    fraction * (n - 1), interpolated between its neighbours."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class _SqlitePercentile:
    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return percentile_cont(self.values, self.fraction)


def register_sqlite(sender, connection, **kwargs) -> None:
    """On each new SQLite connection (the `connection_created` signal), the percentile aggregate."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("qyzmet_percentile_cont", 2, _SqlitePercentile)
