"""Integer lookups that cannot overflow the database.

Django already answers ``pk=<beyond 64 bits>`` with nothing; through a foreign key
(``group_id=``) or with ``__in`` the value reached the driver and failed there (a 500 from any
filter, form or serializer given such an id). These lookups drop out-of-range values the same
way, for every model. Registered once, at start-up (``organisations.apps``).
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _in_range(connection, field, value: object) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    target = getattr(field, "target_field", field)
    try:
        low, high = connection.ops.integer_field_range(target.get_internal_type())
    except KeyError:  # not an integer column
        return True
    return (low is None or value >= low) and (high is None or value <= high)


class _DropOutOfRange:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            values = [v for v in self.rhs if _in_range(connection, self.lhs.output_field, v)]
            if not values:
                raise EmptyResultSet
            self.rhs = values
        return super().process_rhs(compiler, connection)


class InRange(_DropOutOfRange, In):
    pass


class RelatedInRange(_DropOutOfRange, RelatedIn):
    pass


class RelatedExactInRange(RelatedExact):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and not _in_range(
            connection, self.lhs.output_field, self.rhs
        ):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(InRange)
    ForeignObject.register_lookup(RelatedInRange)
    ForeignObject.register_lookup(RelatedExactInRange)
