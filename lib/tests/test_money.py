"""lib/money.py: the Money value, exact parsing and formatting, and `allocate`.

The allocation promises listed in `allocate`'s docstring are property-tested with
hypothesis against exact rational shares; the numpy path is tested against the pure path.
"""

import dataclasses
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.money import (
    NUMPY_MIN_SIZE,
    CurrencyMismatch,
    FloatNotAllowed,
    Money,
    allocate,
    allocate_array,
    allocate_pure,
    fen_from_spreadsheet_number,
    format_wan,
    format_yuan,
)

# ---------------------------------------------------------------------------------------------
# Strategies

totals = st.integers(min_value=-(10**12), max_value=10**12)
# Small weights make equal remainders (ties) common; large ones look like share registers.
weight_values = st.one_of(
    st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=10**9)
)
weight_lists = st.lists(weight_values, min_size=1, max_size=25).filter(any)


@st.composite
def splits(draw, weights=weight_lists):
    """(total, weights, keys): keys are unique ints in a random order."""
    values = draw(weights)
    keys = draw(st.permutations(range(len(values))))
    keys = [key * 7 - 40 for key in keys]  # not the positions, some negative
    return draw(totals), values, keys


def exact_share(total, weight, whole):
    return Fraction(total * weight, whole)


# ---------------------------------------------------------------------------------------------
# allocate: exact small cases


@pytest.mark.parametrize(
    ("total", "weights", "keys", "expected"),
    [
        pytest.param(100, [1, 1, 1], None, [34, 33, 33], id="thirds_first_gets_fen"),
        pytest.param(5, [70, 30], None, [4, 1], id="fowler_70_30_tie_to_first"),
        pytest.param(5, [70, 30], [2, 1], [3, 2], id="fowler_70_30_tie_to_smallest_key"),
        pytest.param(-100, [1, 1, 1], None, [-34, -33, -33], id="clawback_symmetric"),
        pytest.param(100, [1, 1, 1], ["c", "a", "b"], [33, 34, 33], id="str_keys"),
        pytest.param(10, [0, 1, 0, 2], None, [0, 3, 0, 7], id="zero_weights_get_zero"),
        pytest.param(2, [1, 1, 1, 1], None, [1, 1, 0, 0], id="fewer_fen_than_holders"),
        pytest.param(0, [0, 0], None, [0, 0], id="zero_total_zero_weights"),
        pytest.param(0, [3, 4], None, [0, 0], id="zero_total"),
        pytest.param(7, [5], None, [7], id="single_holder"),
        pytest.param(0, [], None, [], id="nobody_nothing"),
        pytest.param(
            10, [Decimal("0.7"), Decimal("0.3")], None, [7, 3], id="decimal_weights_exact"
        ),
        pytest.param(
            100,
            [Fraction(1, 3), Fraction(1, 6), Decimal("0.5")],
            None,
            [33, 17, 50],
            id="mixed_rational_weights",
        ),
        pytest.param(
            1,
            [Decimal("0.1"), Decimal("0.10"), Decimal("1E-1")],
            [3, 2, 1],
            [0, 0, 1],
            id="equal_decimals_tie_by_key",
        ),
    ],
)
def test_it_allocates_small_cases(total, weights, keys, expected):
    assert allocate(total, weights, keys=keys) == expected
    assert allocate_pure(total, weights, keys=keys) == expected


def test_it_accepts_any_iterable_of_weights():
    assert allocate(100, iter([1, 1, 1]), keys=iter([3, 2, 1])) == [33, 33, 34]
    assert allocate(100, np.array([1, 1, 1]), keys=np.array([3, 2, 1])) == [33, 33, 34]
    assert allocate(3, np.array([Decimal("0.5"), Fraction(1, 2)], dtype=object)) == [2, 1]


def test_money_allocate_keeps_the_currency():
    parts = Money(100, "USD").allocate([1, 1, 1])
    assert parts == [Money(34, "USD"), Money(33, "USD"), Money(33, "USD")]
    assert sum(parts) == Money(100, "USD")


@pytest.mark.parametrize(
    ("total", "weights", "keys", "error", "message"),
    [
        pytest.param(1, [0, 0], None, ValueError, "zero total weight", id="all_zero_weights"),
        pytest.param(1, [], None, ValueError, "zero total weight", id="no_holders"),
        pytest.param(1, [1, -1, 2], None, ValueError, "negative", id="negative_weight"),
        pytest.param(1, [1, 0.5], None, ValueError, "float", id="float_weight_value_error"),
        pytest.param(1, [1, 0.5], None, TypeError, "float", id="float_weight_type_error"),
        pytest.param(1, [np.float32(1)], None, FloatNotAllowed, "float", id="numpy_float"),
        pytest.param(1.0, [1], None, FloatNotAllowed, "float", id="float_total"),
        pytest.param(1, [Decimal("NaN")], None, ValueError, "finite", id="nan_decimal"),
        pytest.param(1, [Decimal("-0.1")], None, ValueError, "negative", id="negative_dec"),
        pytest.param(1, ["1"], None, TypeError, "int, Decimal or Fraction", id="str_weight"),
        pytest.param(1, [True], None, TypeError, "bool", id="bool_weight"),
        pytest.param(1, [1, 1], [1], ValueError, "2 weights", id="keys_length"),
        pytest.param(1, [1, 1], [5, 5], ValueError, "unique", id="duplicate_keys"),
        pytest.param(1, [1, 1], [5, "a"], TypeError, "comparable", id="incomparable_keys"),
    ],
)
def test_it_refuses_bad_input(total, weights, keys, error, message):
    with pytest.raises(error, match=message):
        allocate(total, weights, keys=keys)


def test_it_refuses_bad_arrays():
    with pytest.raises(FloatNotAllowed):
        allocate_array(1, np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="negative"):
        allocate_array(1, np.array([1, -1]))
    with pytest.raises(ValueError, match="one-dimensional"):
        allocate_array(1, np.ones((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="unique"):
        allocate_array(1, np.array([1, 1]), np.array([3, 3]))
    with pytest.raises(ValueError, match="zero total weight"):
        allocate_array(1, np.zeros(3, dtype=np.int64))
    with pytest.raises(OverflowError):
        allocate_array(2**63, np.array([1]))


# ---------------------------------------------------------------------------------------------
# allocate: the promises, as properties


@settings(max_examples=500)
@given(splits())
def test_parts_sum_to_total_and_stay_within_a_fen_of_the_exact_share(split):
    total, weights, keys = split
    for parts in (allocate(total, weights), allocate(total, weights, keys=keys)):
        assert sum(parts) == total
        whole = sum(weights)
        for part, weight in zip(parts, weights, strict=True):
            share = exact_share(total, weight, whole)
            assert math.floor(share) <= part <= math.ceil(share)
            if weight == 0:
                assert part == 0


@given(
    totals,
    st.lists(
        st.one_of(
            st.integers(0, 1000),
            st.fractions(min_value=0, max_value=1000, max_denominator=50),
            st.decimals(min_value=0, max_value=1000, places=3),
        ),
        min_size=1,
        max_size=12,
    ).filter(any),
)
def test_rational_weights_keep_the_promises(total, weights):
    parts = allocate(total, weights)
    whole = sum(Fraction(w) for w in weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        share = total * Fraction(weight) / whole
        assert math.floor(share) <= part <= math.ceil(share)


@given(totals, st.lists(st.integers(0, 10**6), min_size=1, max_size=15).filter(any))
def test_decimal_weights_split_like_the_integers_they_scale_to(total, integers):
    decimals = [Decimal(w).scaleb(-4) for w in integers]
    assert allocate(total, decimals) == allocate(total, integers)


@settings(max_examples=500)
@given(splits())
def test_a_clawback_is_the_mirror_of_a_payout(split):
    total, weights, keys = split
    assert allocate(-total, weights, keys=keys) == [-p for p in allocate(total, weights, keys=keys)]
    assert allocate(-total, weights) == [-p for p in allocate(total, weights)]


@settings(max_examples=500)
@given(splits(), st.data())
def test_with_keys_the_result_does_not_depend_on_input_order(split, data):
    total, weights, keys = split
    parts = allocate(total, weights, keys=keys)
    order = data.draw(st.permutations(range(len(weights))))
    permuted = allocate(total, [weights[i] for i in order], keys=[keys[i] for i in order])
    assert permuted == [parts[i] for i in order]


@given(totals, st.integers(1, 10**6), st.integers(1, 40), st.data())
def test_equal_weights_get_parts_that_differ_by_at_most_one_fen(total, weight, size, data):
    keys = data.draw(st.permutations(range(size)))
    for parts in (allocate(total, [weight] * size), allocate(total, [weight] * size, keys=keys)):
        assert max(parts) - min(parts) <= 1


@settings(max_examples=500)
@given(splits())
def test_a_larger_weight_never_gets_less(split):
    total, weights, keys = split
    for parts in (allocate(total, weights), allocate(total, weights, keys=keys)):
        magnitudes = [abs(p) for p in parts]
        for i, weight_i in enumerate(weights):
            for j, weight_j in enumerate(weights):
                if weight_i > weight_j:
                    assert magnitudes[i] >= magnitudes[j]
                if weight_i == weight_j:
                    assert abs(magnitudes[i] - magnitudes[j]) <= 1


@given(splits())
def test_ties_go_to_the_smallest_key(split):
    total, weights, keys = split
    parts = allocate(total, weights, keys=keys)
    whole = sum(weights)
    remainder = [exact_share(abs(total), w, whole) % 1 for w in weights]
    rounded_up = [
        abs(p) > math.floor(exact_share(abs(total), w, whole))
        for p, w in zip(parts, weights, strict=True)
    ]
    for i in range(len(weights)):
        for j in range(len(weights)):
            # Whoever got a leftover fen ranks before whoever did not: remainder desc, key asc.
            if rounded_up[i] and not rounded_up[j]:
                assert (remainder[i], -keys[i]) > (remainder[j], -keys[j])


# ---------------------------------------------------------------------------------------------
# allocate: the numpy path gives the pure path's result


@settings(max_examples=500)
@given(splits())
def test_numpy_path_equals_pure_path(split):
    total, weights, keys = split
    array = np.array(weights, dtype=np.int64)
    assert allocate_array(total, array).tolist() == allocate_pure(total, weights)
    assert allocate_array(total, array, np.array(keys)).tolist() == allocate_pure(
        total, weights, keys=keys
    )


@given(
    splits(),
    st.lists(
        st.text(st.characters(exclude_characters="\x00"), max_size=4), min_size=25, unique=True
    ),
)
def test_numpy_path_orders_string_keys_like_python(split, names):
    total, weights, _ = split
    keys = names[: len(weights)]
    expected = allocate_pure(total, weights, keys=keys)
    assert allocate_array(total, np.array(weights), np.array(keys)).tolist() == expected


@pytest.mark.parametrize(
    "case",
    ["share_register", "equal_weights", "few_distinct_weights", "many_zero_weights"],
)
@pytest.mark.parametrize("with_keys", [False, True])
def test_large_lists_take_the_numpy_path_with_the_same_result(case, with_keys):
    rng = np.random.default_rng(sum(map(ord, case)))
    size = 5 * NUMPY_MIN_SIZE
    weights = {
        "share_register": rng.integers(1, 10**6, size),
        "equal_weights": np.full(size, 17),
        "few_distinct_weights": rng.integers(1, 4, size),
        "many_zero_weights": rng.integers(0, 3, size) * rng.integers(0, 2, size),
    }[case].tolist()
    keys = rng.permutation(size).tolist() if with_keys else None
    for total in (123_456_789, -987_654_321, size // 3, 0):
        expected = allocate_pure(total, weights, keys=keys)
        assert allocate(total, weights, keys=keys) == expected
        assert sum(expected) == total


def test_int64_overflow_falls_back_to_python_ints():
    weights = [2**40 + i for i in range(NUMPY_MIN_SIZE)]
    total = 2**30 + 1  # total * weight exceeds int64
    expected = allocate_pure(total, weights)
    assert allocate(total, weights) == expected
    assert allocate_array(total, np.array(weights)).tolist() == expected
    assert sum(expected) == total


def test_huge_python_int_weights_work():
    weights = [10**30, 2 * 10**30, 0] * NUMPY_MIN_SIZE
    parts = allocate(10**6 + 1, weights)
    assert sum(parts) == 10**6 + 1
    assert parts[:3] == [334, 667, 0]


# ---------------------------------------------------------------------------------------------
# Money


def test_money_adds_subtracts_and_sums_within_a_currency():
    a, b = Money(150), Money(-50)
    assert a + b == Money(100)
    assert a - b == Money(200)
    assert -a == Money(-150)
    assert abs(b) == Money(50)
    assert a * 3 == 3 * a == Money(450)
    assert sum([a, b, Money(1)]) == Money(101)
    assert sum([Money(1, "USD")]) == Money(1, "USD")


def test_money_compares_within_a_currency():
    assert Money(1) < Money(2) <= Money(2) < Money(3)
    assert Money(3) > Money(2) >= Money(2)
    assert max(Money(5), Money(-5)) == Money(5)
    assert Money(1) != Money(1, "USD")


@pytest.mark.parametrize(
    "operation",
    [
        lambda: Money(1) + Money(1, "USD"),
        lambda: Money(1) - Money(1, "USD"),
        lambda: Money(1) < Money(1, "USD"),
        lambda: Money(1) >= Money(1, "USD"),
        lambda: sum([Money(1), Money(1, "USD")]),
    ],
    ids=["add", "subtract", "lt", "ge", "sum"],
)
def test_money_refuses_mixed_currencies(operation):
    with pytest.raises(CurrencyMismatch, match="CNY and USD"):
        operation()


@pytest.mark.parametrize(
    "operation",
    [
        lambda: Money(1.5),
        lambda: Money(1) * 1.5,
        lambda: 1.5 * Money(1),
        lambda: Money(1) + 1.0,
        lambda: 1.0 + Money(1),
        lambda: Money(1) < 2.0,
        lambda: Money.parse_yuan(1.5),
        lambda: Money.parse_wan(1.5),
        lambda: format_yuan(1.0),
        lambda: format_wan(1.0),
    ],
)
def test_money_refuses_floats(operation):
    with pytest.raises(TypeError, match="float"):
        operation()


@pytest.mark.parametrize(
    "operation",
    [
        lambda: Money(1) + 1,
        lambda: 1 + Money(1),
        lambda: Money(1) * Decimal(2),
        lambda: Money(1) * Money(2),
        lambda: Money(True),
        lambda: Money("1"),
    ],
)
def test_money_refuses_other_types(operation):
    with pytest.raises(TypeError):
        operation()


def test_money_is_immutable_and_validates_the_currency():
    money = Money(np.int64(5))
    assert type(money.fen) is int
    with pytest.raises(dataclasses.FrozenInstanceError):
        money.fen = 6
    with pytest.raises(ValueError, match="3-letter"):
        Money(1, "cny")


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(123456), "¥1,234.56"),
        (Money(-123456), "-¥1,234.56"),
        (Money(5), "¥0.05"),
        (Money(0), "¥0.00"),
        (Money(123456, "USD"), "USD 1,234.56"),
        (Money(-1, "USD"), "USD -0.01"),
    ],
)
def test_money_str(money, text):
    assert str(money) == text


def test_money_to_yuan_is_exact():
    assert Money(123456).to_yuan() == Decimal("1234.56")
    assert Money(10**40 + 1).to_yuan() == Decimal("1" + "0" * 37 + "0.01")


# ---------------------------------------------------------------------------------------------
# Parsing


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("1,234.56", 123456),
        ("1234.56", 123456),
        ("  -1,234.5 ", -123450),
        ("+7", 700),
        (".5", 50),
        ("0.10", 10),
        ("1.230", 123),
        ("1,000,000", 100_000_000),
        ("１，２３４．５６", 123456),
        ("\u22121.00", -100),
        (12, 1200),
        (Decimal("1234.56"), 123456),
        (Decimal("1.2300"), 123),
        (Decimal("1E+3"), 100_000),
        (Decimal("-0"), 0),
    ],
)
def test_it_parses_yuan(value, fen):
    assert Money.parse_yuan(value) == Money(fen)


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("12.345678", 12_345_678),
        ("1.5", 1_500_000),
        ("3", 3_000_000),
        ("0.000001", 1),
        (Decimal("12.345678"), 12_345_678),
        (2, 2_000_000),
    ],
)
def test_it_parses_wan(value, fen):
    assert Money.parse_wan(value) == Money(fen)


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (Money.parse_yuan, "1.234", "more decimals than a fen allows"),
        (Money.parse_yuan, Decimal("0.001"), "more decimals than a fen allows"),
        (Money.parse_wan, "12.3456789", "at most 6 decimals"),
        (Money.parse_wan, Decimal("1E-7"), "more decimals than a fen allows"),
        (Money.parse_yuan, "", "empty"),
        (Money.parse_yuan, "   ", "empty"),
        (Money.parse_yuan, "abc", "not a number"),
        (Money.parse_yuan, "1.2.3", "not a number"),
        (Money.parse_yuan, "12,34", "not a number"),
        (Money.parse_yuan, "1e3", "not a number"),
        (Money.parse_yuan, "-", "not a number"),
        (Money.parse_yuan, ".", "not a number"),
        (Money.parse_yuan, "NaN", "not a number"),
        (Money.parse_yuan, Decimal("NaN"), "finite"),
        (Money.parse_yuan, Decimal("Infinity"), "finite"),
    ],
)
def test_it_refuses_bad_amounts(parse, value, message):
    with pytest.raises(ValueError, match=message):
        parse(value)


fens = st.integers(min_value=-(10**18), max_value=10**18)


@given(fens)
def test_yuan_text_round_trips(fen):
    assert Money.parse_yuan(format_yuan(fen)).fen == fen
    assert Money.parse_yuan(format_yuan(fen, grouping=False)).fen == fen
    assert Money.parse_yuan(Money(fen).to_yuan()).fen == fen


@given(fens)
def test_wan_text_round_trips_with_six_places(fen):
    assert Money.parse_wan(format_wan(fen, 6)).fen == fen


# ---------------------------------------------------------------------------------------------
# Spreadsheet numbers


@pytest.mark.parametrize(
    ("value", "unit", "fen"),
    [
        (1234.5600000000002, "yuan", 123456),
        (0.1 + 0.2, "yuan", 30),
        (-1234.56, "yuan", -123456),
        (12.345678, "wan", 12_345_678),
        (1e12, "yuan", 10**14),
        (42, "yuan", 4200),
        (42, "wan", 42_000_000),
        (-0.0, "yuan", 0),
    ],
)
def test_it_reads_spreadsheet_numbers_as_excel_shows_them(value, unit, fen):
    assert fen_from_spreadsheet_number(value, unit) == fen


@pytest.mark.parametrize(
    ("value", "unit", "error"),
    [
        (1.005, "yuan", ValueError),  # shown as 1.005: a third decimal
        (12.3456789, "wan", ValueError),
        (float("nan"), "yuan", ValueError),
        (float("inf"), "wan", ValueError),
        (1.5, "jiao", ValueError),
        ("1.5", "yuan", TypeError),
        (Decimal("1.5"), "yuan", TypeError),
        (True, "yuan", TypeError),
    ],
)
def test_it_refuses_bad_spreadsheet_numbers(value, unit, error):
    with pytest.raises(error):
        fen_from_spreadsheet_number(value, unit)


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_a_float_of_up_to_15_digits_reads_back_exactly(fen):
    assert fen_from_spreadsheet_number(fen / 100) == fen
    assert fen_from_spreadsheet_number(fen / 10**6, "wan") == fen


# ---------------------------------------------------------------------------------------------
# Formatting


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123456, "1,234.56"),
        (-123456, "-1,234.56"),
        (0, "0.00"),
        (-5, "-0.05"),
        (100_000_000_00, "100,000,000.00"),
    ],
)
def test_format_yuan(fen, text):
    assert format_yuan(fen) == text


@pytest.mark.parametrize(
    ("fen", "places", "text"),
    [
        (12_345_678, 2, "12.35"),
        (12_345_678, 6, "12.345678"),
        (12_345_678, 0, "12"),
        (12_345_678, 8, "12.34567800"),
        (5_000, 2, "0.01"),  # 0.005 万元: half rounds up
        (4_999, 2, "0.00"),
        (-5_000, 2, "-0.01"),  # and away from zero for negatives
        (-4_999, 2, "0.00"),  # no "-0.00"
        (1_234_567_890_000, 2, "1,234,567.89"),
        (-15_000_000, 0, "-15"),
    ],
)
def test_format_wan_rounds_half_up_for_display(fen, places, text):
    assert format_wan(fen, places) == text


def test_format_without_grouping():
    assert format_yuan(123456789, grouping=False) == "1234567.89"
    assert format_wan(1_234_567_890_000, grouping=False) == "1234567.89"


def test_format_wan_refuses_negative_places():
    with pytest.raises(ValueError, match="places"):
        format_wan(1, -1)
