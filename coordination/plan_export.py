"""A plan's progress as files: CSV (UTF-8 with a byte-order mark, so that spreadsheet programs
read Arabic right) and JSON following the IATI results structure.

IATI mapping (IATI Standard 2.03, ``iati-activity/result``): each objective is a ``result``
(type 2, outcome; indicators without an objective go to one result "Other indicators"); each
indicator an ``indicator`` with ``measure`` 2 (percentage) for a rate in per cent, else 1
(unit), ``ascending`` 1 unless the target is below the baseline, ``baseline`` (the plan's first
day and the baseline value) and one ``period`` per reporting period with its ``target`` (the
pro-rated target) and its ``actual`` (a number, or absent with a comment when not reported or
too small to show: ``"<5"``).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _

from coordination.models import ActionPlan
from coordination.progress import IndicatorProgress, number

CSV_HEADER = (
    "objective",
    "indicator",
    "kind",
    "unit",
    "baseline",
    "target",
    "period_start",
    "period_end",
    "due_on",
    "actual",
    "expected",
    "status",
)


def progress_csv(series: list[IndicatorProgress]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in series:
        indicator = row.indicator
        for period in row.periods:
            writer.writerow(
                [
                    _cell(indicator.objective.title if indicator.objective else ""),
                    _cell(indicator.name),
                    indicator.kind,
                    _cell(indicator.unit),
                    number(indicator.baseline),
                    number(indicator.target),
                    period.period.start.isoformat(),
                    period.period.last_day.isoformat(),
                    period.period.due_on.isoformat(),
                    "" if period.actual is None else period.actual,
                    period.expected,
                    period.status,
                ]
            )
    return "\ufeff".encode() + out.getvalue().encode()


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def progress_iati(plan: ActionPlan, series: list[IndicatorProgress]) -> dict[str, Any]:
    results: dict[object, dict[str, Any]] = {}
    for row in series:
        indicator = row.indicator
        objective = indicator.objective
        key = objective.pk if objective else None
        result = results.setdefault(
            key,
            {
                "type": "2",
                "title": objective.title if objective else _("Other indicators"),
                "description": objective.description if objective else "",
                "indicator": [],
            },
        )
        periods = []
        for period in row.periods:
            entry: dict[str, Any] = {
                "period-start": {"iso-date": period.period.start.isoformat()},
                "period-end": {"iso-date": period.period.last_day.isoformat()},
                "target": {"value": period.expected},
            }
            if isinstance(period.actual, int | float):
                entry["actual"] = {"value": period.actual}
            elif isinstance(period.actual, str):
                entry["actual"] = {
                    "comment": _("Too few to show (%(marker)s).") % {"marker": period.actual}
                }
            periods.append(entry)
        result["indicator"].append(
            {
                "ref": str(indicator.pk),
                "measure": "2" if indicator.unit.strip() == "%" else "1",
                "ascending": "0" if indicator.target < indicator.baseline else "1",
                "title": indicator.name,
                "description": indicator.unit,
                "baseline": {
                    "iso-date": plan.start_on.isoformat(),
                    "value": number(indicator.baseline),
                },
                "period": periods,
            }
        )
    return {
        "iati-version": "2.03",
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "group": plan.group.name,
            "period-start": plan.start_on.isoformat(),
            "period-end": plan.end_on.isoformat(),
        },
        "result": list(results.values()),
    }
