from datetime import date
from decimal import Decimal

import pytest

from lib.progress import month_end, plan_percent, planned_to_date, progress, schedule_percent


def test_month_end_handles_leap_years():
    assert month_end(date(2024, 2, 3)) == date(2024, 2, 29)
    assert month_end(date(2022, 12, 1)) == date(2022, 12, 31)


def test_schedule_is_months_over_twelve():
    assert schedule_percent(date(2022, 6, 30)) == Decimal("50.0")
    assert schedule_percent(date(2022, 8, 31)) == Decimal("66.7")
    assert schedule_percent(date(2022, 12, 31)) == Decimal("100.0")


def test_plan_percent_rounds_half_up_and_needs_a_plan():
    assert plan_percent(45_000_000, 100_000_000) == Decimal("45.0")
    assert plan_percent(1, 8) == Decimal("12.5")
    assert plan_percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3, not banker's 6.2
    assert plan_percent(5, None) is None
    assert plan_percent(5, 0) is None
    with pytest.raises(ValueError, match="negative"):
        plan_percent(-1, 100)


def test_progress_says_ahead_or_behind_the_schedule():
    ahead = progress(60_000_000, 100_000_000, date(2022, 6, 30))
    assert (ahead.percent, ahead.schedule, ahead.gap, ahead.ahead) == (
        Decimal("60.0"),
        Decimal("50.0"),
        Decimal("10.0"),
        True,
    )
    behind = progress(30_000_000, 100_000_000, date(2022, 9, 30))
    assert behind.gap == Decimal("-45.0")
    assert behind.ahead is False
    assert progress(1, None, date(2022, 9, 30)).gap is None


def test_planned_to_date_is_straight_line_in_whole_fen():
    assert planned_to_date(1200, 1) == 100
    assert planned_to_date(100, 6) == 50
    assert planned_to_date(1000, 1) == 83  # 83.33 rounded
    assert planned_to_date(100_000_000, 12) == 100_000_000
    with pytest.raises(ValueError, match="month"):
        planned_to_date(100, 13)
