"""CSV files of the statistics tables: UTF-8 with a byte-order mark, so that spreadsheet
programs open Arabic and accented names intact; the same protected cells as the page."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.utils.text import slugify

from referrals.insight.tables import Cell, Table

# A cell starting with one of these is a formula to a spreadsheet program: quote it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Cell) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table_csv(table: Table, *, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(filename) or "statistics"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_text(table.title), *(_text(label) for _key, label in table.columns)])
    rows = [*table.rows, *([table.total] if table.total else [])]
    for row in rows:
        writer.writerow(
            [_text(row.label), *(_text(row.values.get(key)) for key, _label in table.columns)]
        )
    return response
