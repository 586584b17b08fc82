"""The reporting periods of a joint action plan: whole calendar months, or quarters counted from
the plan's first month, read in the group's time zone.

Whole months only: the statistics' disclosure rule reads figures by month, and a computed
indicator must equal the statistics for the same months.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

MONTHS = {"monthly": 1, "quarterly": 3}


@dataclass(frozen=True)
class Period:
    start: datetime.date  # the first day
    end: datetime.date  # the day after the last (exclusive)
    due_on: datetime.date  # the report is due by the end of this day
    index: int  # 1-based, within the plan

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    def bounds(self, tz: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as an aware half-open interval, midnight to midnight in ``tz``."""
        return (
            datetime.datetime.combine(self.start, datetime.time(), tzinfo=tz),
            datetime.datetime.combine(self.end, datetime.time(), tzinfo=tz),
        )

    def has_ended(self, today: datetime.date) -> bool:
        return today >= self.end

    def has_started(self, today: datetime.date) -> bool:
        return today >= self.start


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def is_month_end(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def periods(
    start_on: datetime.date, end_on: datetime.date, frequency: str, *, reporting_days: int
) -> list[Period]:
    """Every period from ``start_on`` (a month's first day) to ``end_on`` (inclusive); a last
    quarter cut short by the plan's end ends with the plan."""
    step = relativedelta(months=MONTHS.get(frequency, 1))
    stop = end_on + datetime.timedelta(days=1)
    found: list[Period] = []
    start = month_start(start_on)
    while start < stop:
        end = min(start + step, stop)
        found.append(
            Period(
                start=start,
                end=end,
                due_on=end + datetime.timedelta(days=max(reporting_days, 0)),
                index=len(found) + 1,
            )
        )
        start = end
    return found


def period_of(period_list: list[Period], start: datetime.date) -> Period | None:
    return next((p for p in period_list if p.start == start), None)
