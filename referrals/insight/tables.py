"""The one shape every figure takes: a table of rows and columns of cells.

The same ``Table`` feeds the web page (table and chart), the CSV export and the API, so that the
three always show the same, equally protected, figures. A cell is an ``int`` or a ``float``,
``None`` (nothing to measure) or the suppression marker (``disclosure.marker()``, e.g. ``"<5"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = int | float | str | None


@dataclass
class Row:
    key: str
    label: str
    values: dict[str, Cell] = field(default_factory=dict)


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None
    # Columns that count people or referrals (protected) rather than public facts (services).
    protected: tuple[str, ...] = ()
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "columns": [{"key": key, "label": label} for key, label in self.columns],
            "rows": [_row(row) for row in self.rows],
            "total": _row(self.total) if self.total else None,
        }


def _row(row: Row) -> dict:
    return {"key": row.key, "label": row.label, "values": dict(row.values)}
