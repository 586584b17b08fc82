"""The API's two paginations, strict about what a client sends.

A page size out of bounds or a cursor that was not made by the server is a 400 with a field
error (DRF would silently clamp the one and crash on the other), and both bounds are in the
schema.
"""

from __future__ import annotations

from functools import cache

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from config.planner import row_by_row

MAX_PAGE_SIZE = 200


class _IdsFirst:
    """A page read in two queries: the ids alone, then their rows with everything joined.

    Where a list is filtered by an ``EXISTS`` (the permission probes), PostgreSQL misjudges how
    many rows pass and, once the page's joins are in the query, joins and sorts the whole box
    before cutting the page (45 ms for a CSO at a million referrals); the ids alone walk the
    ``-id`` index and stop at the page's end (under 1 ms). The rows then come by primary key.
    Only a sliced read of model instances is split (apply it to the page, not to a look-up):
    ``count()``, ``exists()`` and whole reads stay one query."""

    def _fetch_all(self) -> None:
        if (
            self._result_cache is None  # type: ignore[attr-defined]
            and self.query.is_sliced  # type: ignore[attr-defined]
            and self._iterable_class is ModelIterable  # type: ignore[attr-defined]
        ):
            with row_by_row(self.db):  # type: ignore[attr-defined]
                ids = list(self.values_list("pk", flat=True))  # type: ignore[attr-defined]
            by_id = {row.pk: row for row in self._rows(ids)} if ids else {}
            # A row gone between the two reads (deleted meanwhile) is left out, not an error.
            self._result_cache = [by_id[pk] for pk in ids if pk in by_id]
            self._prefetch_done = True
            return
        super()._fetch_all()  # type: ignore[misc]

    def _rows(self, ids: list) -> QuerySet:
        """The rows of ``ids`` with the page's joins, prefetches and deferred fields, by key
        alone: the first read decided what the page shows (the permission probes, the filters),
        and repeating its conditions here cost more to plan than the read itself (3 of 4 ms).
        A row whose grant went between the two reads is shown as it would have been a moment
        earlier. A query with annotations keeps its conditions (they may depend on them)."""
        rows = self._chain()  # type: ignore[attr-defined]
        rows.query.clear_limits()
        if not rows.query.annotations and not rows.query.distinct:
            plain = self.model._base_manager.all()  # type: ignore[attr-defined]
            plain.query.select_related = rows.query.select_related
            plain.query.deferred_loading = rows.query.deferred_loading
            plain._prefetch_related_lookups = rows._prefetch_related_lookups
            plain._db = rows._db
            # In no order: the page puts them in the order of ``ids`` (sorting them in the
            # database and compiling the ordering cost more than the rest of the read).
            rows = plain.order_by()
        return rows.filter(pk__in=ids)


@cache
def _ids_first_class(queryset_class: type[QuerySet]) -> type[QuerySet]:
    return type(f"IdsFirst{queryset_class.__name__}", (_IdsFirst, queryset_class), {})


def ids_first(queryset: QuerySet) -> QuerySet:
    """``queryset``, whose sliced reads (a page) fetch the ids first (see ``_IdsFirst``)."""
    clone = queryset.all()
    clone.__class__ = _ids_first_class(type(queryset))
    return clone


def _page_size(request, *, param: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(param)
    if raw is None:  # absent; given empty, it is no whole number (as the schema says)
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= maximum:
        raise ValidationError(
            {param: [_("Give a whole number from 1 to %(max)s.") % {"max": maximum}]}
        )
    return size


def _page_size_schema(param: str, default: int, maximum: int) -> dict:
    return {
        "name": param,
        "required": False,
        "in": "query",
        "description": f"Results per page (default {default}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
    }


class NewestFirst(CursorPagination):
    """Paginate by key, newest first, never by counting everything."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        return super().paginate_queryset(ids_first(queryset), request, view)

    def get_page_size(self, request) -> int:
        return _page_size(
            request,
            param=self.page_size_query_param,
            default=self.page_size,
            maximum=self.max_page_size,
        )

    def decode_cursor(self, request):
        """The server's own cursor, or the first page: the list exists whatever the cursor says
        (DRF answers 404 to one it cannot decode, and crashed on a position that is no id)."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            return None
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except (TypeError, ValueError):
                return None
        return cursor

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "The cursor of the `next` or `previous` link; any other value starts from "
                    "the first page."
                )
        return [p for p in parameters if p["name"] != self.page_size_query_param] + [
            _page_size_schema(self.page_size_query_param, self.page_size, self.max_page_size)
        ]


class PastTheEnd(Paginator):
    """A page after the last is empty (a client walking pages just stops), not an error; a page
    number below 1 or not a number still is."""

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            number = int(number)
            if number < 1:
                raise
            return number


class Pages(PageNumberPagination):
    """Numbered pages for the short lists (the directory, groups, meetings). A page that is not
    a whole number from 1 to the last is a 400 naming ``page`` (DRF answers 404)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    django_paginator_class = PastTheEnd

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get(self.page_query_param) == "":
            raise ValidationError({self.page_query_param: [_("There is no such page.")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise ValidationError({self.page_query_param: [_("There is no such page.")]}) from None

    def get_page_size(self, request) -> int:
        return _page_size(
            request,
            param=self.page_size_query_param,
            default=self.page_size,
            maximum=self.max_page_size,
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return [p for p in parameters if p["name"] != self.page_size_query_param] + [
            _page_size_schema(self.page_size_query_param, self.page_size, self.max_page_size)
        ]
