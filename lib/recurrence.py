"""Recurring dates (e.g. the quarterly roundtable): pure functions, no Django."""

from __future__ import annotations

import calendar
from datetime import date

__all__ = ["add_months", "occurrences"]

MAX_OCCURRENCES = 1000  # a series is a few meetings a year; this stops runaway input


def add_months(day: date, months: int) -> date:
    """`day` moved by `months`, the day of month clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def occurrences(first: date, every_months: int, until: date) -> list[date]:
    """The dates first, first + n months, … up to and including `until`.

    Each date is computed from `first` (not from the previous one), so a series starting on
    the 31st keeps the 31st in the months that have one.
    """
    if every_months < 1:
        raise ValueError("a series recurs every 1 month or more")
    days = []
    n = 0
    while (day := add_months(first, n * every_months)) <= until:
        days.append(day)
        n += 1
        if n > MAX_OCCURRENCES:
            raise ValueError(f"more than {MAX_OCCURRENCES} occurrences")
    return days
