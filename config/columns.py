"""A column's identity without ``inspect``.

Django compares and hashes query expressions by an *identity* made of their constructor's
arguments, bound through ``inspect.Signature`` (about 10 µs each time). Compiling a query with
an ordering hashes every selected column, to find an ordering by one of them: the 45 columns of a
page of referrals, the 120 of a referral read with its organisations, case and service cost
0.5 to 0.7 ms of compiling per query, 3 % of the web server's time under load (issue 13).

A column's constructor is fixed (``alias, target, output_field=None``): its identity is built
here directly, the same tuple as Django's own (``tests/config/test_columns.py`` compares them, so
that a Django whose ``Col`` changes fails there first)."""

from __future__ import annotations

from django.db.models.expressions import Col, Expression
from django.utils.functional import cached_property

_ARGUMENTS = ("alias", "target", "output_field")


def _identity(column: Col) -> tuple:
    args, kwargs = column._constructor_args
    if len(args) > len(_ARGUMENTS) or not set(kwargs) <= set(_ARGUMENTS):
        return Expression.identity.func(column)  # not the constructor known here: Django's way
    values = {"output_field": None, **dict(zip(_ARGUMENTS, args, strict=False)), **kwargs}
    return (Col, *((name, Col._identity(values[name])) for name in _ARGUMENTS))


def register() -> None:
    identity = cached_property(_identity)
    identity.__set_name__(Col, "identity")
    Col.identity = identity  # type: ignore[method-assign]
