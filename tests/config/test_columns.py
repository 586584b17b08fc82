"""A column's identity is Django's own, built without ``inspect`` (config.columns)."""

from __future__ import annotations

import pytest
from django.db import models
from django.db.models.expressions import Col, Expression

from referrals.models import Referral
from referrals.selectors import for_lists


def _columns() -> list[Col]:
    """Every column of a wide query, as the ORM makes them."""
    query = for_lists(Referral.objects.all()).order_by("-id").query
    compiler = query.get_compiler("default")
    compiler.setup_query()
    return [expression for expression, _sql, _alias in compiler.select]


def test_every_column_of_a_query_has_the_identity_django_gives_it():
    columns = _columns()
    assert len(columns) > 40

    for column in columns:
        assert isinstance(column, Col)
        assert column.identity == Expression.identity.func(column)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("T1", Referral._meta.get_field("state")), {}),
        (("T1", Referral._meta.get_field("state"), models.CharField()), {}),
        (("T1",), {"target": Referral._meta.get_field("id"), "output_field": None}),
    ],
)
def test_a_column_made_any_way_has_django_s_identity(args, kwargs):
    column = Col(*args, **kwargs)

    assert column.identity == Expression.identity.func(column)
    assert hash(column) == hash(Expression.identity.func(column))


def test_columns_compare_as_django_compares_them():
    state = Referral._meta.get_field("state")

    assert Col("T1", state) == Col("T1", state)
    assert Col("T1", state) != Col("T2", state)
    assert Col("T1", state) != Col("T1", Referral._meta.get_field("urgency"))
    assert len({Col("T1", state), Col("T1", state)}) == 1
