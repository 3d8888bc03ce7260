"""Progress of a project against its annual investment plan, as Chinese project lists say it.

"1—N月累计完成投资 X 万元，占年度计划的 Y%，超（落后）时序进度 Z 个百分点": the time schedule
(时序进度) of a month-end report is N/12 of the year; the plan percentage is the investment
completed this year over the annual plan. Percentages are Decimals rounded half-up to one
decimal place (what the lists print). Pure code, no Django.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "Progress",
    "month_end",
    "plan_percent",
    "planned_to_date",
    "progress",
    "schedule_percent",
]

_TENTH = Decimal("0.1")


def month_end(day: date) -> date:
    """The last day of the month of `day`."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def schedule_percent(period: date) -> Decimal:
    """Time elapsed in the year at the end of `period`'s month (时序进度), in percent."""
    return (Decimal(period.month) * 100 / 12).quantize(_TENTH, ROUND_HALF_UP)


def plan_percent(completed: int, planned: int | None) -> Decimal | None:
    """Completed over planned, in percent (one decimal); None when there is no plan."""
    if completed < 0:
        raise ValueError("completed investment cannot be negative")
    if not planned:
        return None
    if planned < 0:
        raise ValueError("planned investment cannot be negative")
    return (Decimal(completed) * 100 / Decimal(planned)).quantize(_TENTH, ROUND_HALF_UP)


def planned_to_date(planned: int, month: int) -> int:
    """The straight-line plan to the end of `month` (fen, rounded half-up): plan × month/12."""
    if not 1 <= month <= 12:
        raise ValueError("month must be 1..12")
    return (planned * month * 2 + 12) // 24


@dataclass(frozen=True)
class Progress:
    percent: Decimal | None  # of the annual plan
    schedule: Decimal  # time elapsed, percent
    gap: Decimal | None  # percentage points ahead (+) or behind (−) the schedule

    @property
    def ahead(self) -> bool | None:
        return None if self.gap is None else self.gap >= 0


def progress(completed: int, planned: int | None, period: date) -> Progress:
    """Plan percentage and lead over the time schedule of a report for `period`."""
    pct = plan_percent(completed, planned)
    schedule = schedule_percent(period)
    return Progress(pct, schedule, None if pct is None else pct - schedule)
