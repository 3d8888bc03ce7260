"""lib/distribution.py: every policy is exact (parts sum to the amount) and keeps its promise.

Exact cases first (read like small ledgers), then hypothesis properties: parts sum exactly,
zero stake gets zero, the floor is honoured when the income covers it, and deductions plus
parts equal the income.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.distribution import (
    Deductions,
    DistributionError,
    Policy,
    add_years,
    as_rate,
    by_population,
    deduct_reserves,
    equal,
    fixed_return,
    fixed_return_total,
    fixed_term_applies,
    floor_then_pro_rata,
    pro_rata,
    shares_and_points,
    year_fraction,
)
from lib.money import FloatNotAllowed

# ---------------------------------------------------------------------------------------------
# Rates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.1", Fraction(1, 10)),
        ("10%", Fraction(1, 10)),
        (" 15 % ", Fraction(3, 20)),
        ("1/3", Fraction(1, 3)),
        (Decimal("0.075"), Fraction(3, 40)),
        (Fraction(2, 7), Fraction(2, 7)),
        (0, Fraction(0)),
        (1, Fraction(1)),
    ],
)
def test_as_rate_reads_exact_rates(value, expected):
    assert as_rate(value) == expected


def test_as_rate_refuses_a_float():
    with pytest.raises(FloatNotAllowed):
        as_rate(0.1)


@pytest.mark.parametrize("value", ["ten", "", "1/0", Decimal("NaN"), True, None, [1]])
def test_as_rate_refuses_what_is_not_a_number(value):
    with pytest.raises(DistributionError):
        as_rate(value)


def test_policy_codes_are_the_stored_values():
    assert [p.value for p in Policy] == [
        "pro_rata",
        "equal",
        "population",
        "floor_pro_rata",
        "fixed_return",
        "shares_points",
        "low_income",
    ]


# ---------------------------------------------------------------------------------------------
# Exact cases


def test_pro_rata_splits_by_stake_and_gives_the_leftover_fen_by_largest_remainder():
    # 100.00 yuan over stakes 1:1:1 → 33.34, 33.33, 33.33 (Fineract would lose a fen).
    assert pro_rata(10000, [1, 1, 1]) == [3334, 3333, 3333]
    # The same with keys: the leftover fen goes to the smallest key.
    assert pro_rata(10000, [1, 1, 1], keys=[30, 10, 20]) == [3333, 3334, 3333]
    assert pro_rata(1_000_000, [600, 300, 100]) == [600_000, 300_000, 100_000]


def test_pro_rata_gives_a_zero_stake_zero():
    assert pro_rata(1001, [0, 5, 0, 5]) == [0, 501, 0, 500]


def test_pro_rata_refuses_zero_total_stake_for_a_nonzero_amount():
    with pytest.raises(DistributionError, match="total stake is zero"):
        pro_rata(100, [0, 0])
    with pytest.raises(DistributionError, match="no holders"):
        pro_rata(100, [])
    assert pro_rata(0, [0, 0]) == [0, 0]


@pytest.mark.parametrize("function", [pro_rata, by_population])
def test_negative_amounts_and_weights_are_refused(function):
    with pytest.raises(DistributionError, match="negative amount"):
        function(-1, [1])
    with pytest.raises(DistributionError, match="is negative"):
        function(10, [1, -1])


def test_float_amounts_and_weights_are_refused():
    with pytest.raises(FloatNotAllowed):
        pro_rata(10.0, [1])
    with pytest.raises(FloatNotAllowed):
        pro_rata(10, [1.5])


def test_equal_split_differs_by_at_most_one_fen():
    assert equal(100, 3) == [34, 33, 33]
    assert equal(100, 3, keys=["c", "a", "b"]) == [33, 34, 33]
    assert equal(0, 0) == []
    with pytest.raises(DistributionError):
        equal(5, 0)


def test_by_population_splits_by_people():
    # 徐家埭村 3,200 people, 峰山村 800: 1,000 yuan → 800 and 200.
    assert by_population(100_000, [3200, 800]) == [80_000, 20_000]
    with pytest.raises(DistributionError, match="total population is zero"):
        by_population(1, [0])


def test_floor_then_pro_rata_pays_floors_then_the_surplus_by_stake():
    # Floors 500 + 300 = 800; surplus 200 split 3:1 → 150 and 50.
    assert floor_then_pro_rata(1000, [3, 1], [500, 300]) == [650, 350]


def test_floor_then_pro_rata_splits_by_floors_when_income_is_short():
    # Income 400 against floors 500 + 300: each gets half its floor, never more.
    assert floor_then_pro_rata(400, [3, 1], [500, 300]) == [250, 150]
    # Exactly the floors: floors only, stakes play no part.
    assert floor_then_pro_rata(800, [0, 0], [500, 300]) == [500, 300]


def test_floor_then_pro_rata_refuses_a_surplus_with_zero_stake():
    with pytest.raises(DistributionError, match="total stake is zero"):
        floor_then_pro_rata(801, [0, 0], [500, 300])


def test_floor_then_pro_rata_needs_one_floor_per_holder():
    with pytest.raises(DistributionError, match="got 1 floors for 2 holders"):
        floor_then_pro_rata(10, [1, 1], [5])


def test_fixed_return_is_ten_percent_of_capital_a_year():
    # 青田: 10% of actual investment a year. 1.5 M and 0.5 M yuan for a whole year.
    capitals = [150_000_000, 50_000_000]
    assert fixed_return_total(capitals, "10%") == 20_000_000
    assert fixed_return(capitals, "10%") == [15_000_000, 5_000_000]


def test_fixed_return_for_a_part_of_a_year_rounds_the_total_half_up_once():
    # 1 yuan at 10% for 1/3 year = 3.333… fen → 3 fen, split 1:1:1 → 1 each.
    assert fixed_return_total([100], "0.1", Fraction(1, 3)) == 3
    assert fixed_return([50, 50], "0.1", Fraction(1, 3)) == [2, 1]
    # 0.5 fen rounds up.
    assert fixed_return_total([5], "10%") == 1


def test_fixed_return_refuses_negative_rates():
    with pytest.raises(DistributionError):
        fixed_return_total([100], "-1%")


def test_deduct_reserves_sets_aside_fifteen_plus_fifteen_percent():
    # 金威: 15% 公积金 + 15% 公益金 off 1,000.01 yuan.
    assert deduct_reserves(100_001, "15%", "15%") == Deductions(100_001, 15_000, 15_000, 70_001)
    assert deduct_reserves(100, "1/3", "1/3") == Deductions(100, 34, 33, 33)
    assert deduct_reserves(100) == Deductions(100, 0, 0, 100)


def test_deduct_reserves_refuses_rates_over_the_whole():
    with pytest.raises(DistributionError, match="more than the whole"):
        deduct_reserves(100, "60%", "50%")
    with pytest.raises(DistributionError, match="negative"):
        deduct_reserves(100, "-1%", "0")


def test_shares_and_points_splits_two_pools():
    # 70% by shares (700: 3:1 → 525, 175), 30% by points (300: 1:2 → 100, 200).
    assert shares_and_points(1000, [3, 1], [10, 20], "70%") == [625, 375]


def test_shares_and_points_without_points_goes_all_by_shares_and_vice_versa():
    assert shares_and_points(1000, [3, 1], [0, 0], "70%") == [750, 250]
    assert shares_and_points(1000, [0, 0], [1, 3], "70%") == [250, 750]
    with pytest.raises(DistributionError):
        shares_and_points(1000, [0, 0], [0, 0], "70%")


@pytest.mark.parametrize("ratio", ["-0.1", "1.01"])
def test_shares_and_points_refuses_a_ratio_outside_zero_to_one(ratio):
    with pytest.raises(DistributionError, match="between 0 and 1"):
        shares_and_points(10, [1], [1], ratio)


# ---------------------------------------------------------------------------------------------
# Periods


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2023, 1, 1), date(2023, 12, 31), Fraction(1)),
        (date(2024, 1, 1), date(2024, 12, 31), Fraction(1)),
        (date(2023, 7, 1), date(2024, 6, 30), Fraction(184, 365) + Fraction(182, 366)),
        (date(2023, 1, 1), date(2023, 1, 1), Fraction(1, 365)),
        (date(2022, 1, 1), date(2023, 12, 31), Fraction(2)),
    ],
)
def test_year_fraction_is_actual_over_actual(start, end, expected):
    assert year_fraction(start, end) == expected


def test_year_fraction_refuses_a_backwards_period():
    with pytest.raises(DistributionError, match="before it starts"):
        year_fraction(date(2023, 2, 1), date(2023, 1, 31))


def test_add_years_moves_29_february_to_28():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2017, 8, 25), 5) == date(2022, 8, 25)


def test_fixed_term_applies_inside_the_term_and_not_after():
    start = date(2018, 1, 1)  # five fixed years: 2018–2022
    assert fixed_term_applies(start, 5, date(2022, 1, 1), date(2022, 12, 31)) is True
    assert fixed_term_applies(start, 5, date(2023, 1, 1), date(2023, 12, 31)) is False
    with pytest.raises(DistributionError, match="straddles"):
        fixed_term_applies(start, 5, date(2022, 7, 1), date(2023, 6, 30))
    with pytest.raises(DistributionError):
        fixed_term_applies(start, -1, date(2022, 1, 1), date(2022, 12, 31))


# ---------------------------------------------------------------------------------------------
# Properties

amounts = st.integers(min_value=0, max_value=10**13)
weights = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30)
rates = st.fractions(min_value=0, max_value=1, max_denominator=10_000)


@st.composite
def weights_with_some_stake(draw):
    values = draw(weights)
    if not any(values):
        values[draw(st.integers(0, len(values) - 1))] = draw(st.integers(1, 10**9))
    return values


@given(amounts, weights_with_some_stake())
def test_property_pro_rata_sums_and_zero_stake_gets_zero(total, stakes):
    parts = pro_rata(total, stakes)

    assert sum(parts) == total
    assert all(part == 0 for part, stake in zip(parts, stakes, strict=True) if stake == 0)
    whole = sum(stakes)
    for part, stake in zip(parts, stakes, strict=True):
        assert abs(part - Fraction(total * stake, whole)) < 1


@given(amounts, st.integers(min_value=1, max_value=500))
def test_property_equal_sums_and_differs_by_at_most_one_fen(total, count):
    parts = equal(total, count)

    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1


@given(amounts, weights_with_some_stake())
def test_property_by_population_sums(total, populations):
    assert sum(by_population(total, populations)) == total


@st.composite
def floor_cases(draw):
    stakes = draw(weights_with_some_stake())
    floors = draw(
        st.lists(
            st.integers(min_value=0, max_value=10**8), min_size=len(stakes), max_size=len(stakes)
        )
    )
    return draw(amounts), stakes, floors


@given(floor_cases())
def test_property_floor_then_pro_rata_sums_and_honours_floors_when_income_suffices(case):
    total, stakes, floors = case

    parts = floor_then_pro_rata(total, stakes, floors)

    assert sum(parts) == total
    if total >= sum(floors):
        assert all(part >= floor for part, floor in zip(parts, floors, strict=True))
    else:
        assert all(part <= floor for part, floor in zip(parts, floors, strict=True))


@given(weights_with_some_stake(), rates, st.fractions(min_value=0, max_value=5))
def test_property_fixed_return_sums_to_the_rounded_total(capitals, rate, fraction):
    parts = fixed_return(capitals, rate, fraction)

    total = fixed_return_total(capitals, rate, fraction)
    assert sum(parts) == total
    assert abs(total - sum(capitals) * rate * fraction) <= Fraction(1, 2)
    for part, capital in zip(parts, capitals, strict=True):
        assert abs(part - capital * rate * fraction) < 2


@st.composite
def deduction_rates(draw):
    reserve = draw(rates)
    welfare = draw(st.fractions(min_value=0, max_value=1 - reserve, max_denominator=10_000))
    return reserve, welfare


@given(amounts, deduction_rates(), weights_with_some_stake())
def test_property_deductions_plus_parts_equal_the_income(income, rate_pair, stakes):
    reserve_rate, welfare_rate = rate_pair

    deductions = deduct_reserves(income, reserve_rate, welfare_rate)
    parts = pro_rata(deductions.distributable, stakes)

    assert deductions.reserve + deductions.welfare + sum(parts) == income
    assert abs(deductions.reserve - income * reserve_rate) < 1
    assert abs(deductions.welfare - income * welfare_rate) < 1


@st.composite
def shares_points_cases(draw):
    shares = draw(weights_with_some_stake())
    points = draw(
        st.lists(
            st.integers(min_value=0, max_value=10**6), min_size=len(shares), max_size=len(shares)
        )
    )
    return draw(amounts), shares, points, draw(rates)


@given(shares_points_cases())
def test_property_shares_and_points_sums(case):
    total, shares, points, ratio = case

    parts = shares_and_points(total, shares, points, ratio)

    assert sum(parts) == total
    assert all(
        part == 0 for part, s, p in zip(parts, shares, points, strict=True) if s == 0 and p == 0
    )


@given(amounts, weights_with_some_stake())
def test_property_keys_make_the_split_independent_of_order(total, stakes):
    keys = list(range(len(stakes)))
    forward = pro_rata(total, stakes, keys=keys)

    backward = pro_rata(total, stakes[::-1], keys=keys[::-1])

    assert backward[::-1] == forward
