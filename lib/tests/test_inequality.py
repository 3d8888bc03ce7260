"""lib/inequality.py: hand-computed cases, PySAL cross-checks, properties, and bad input.

PySAL's `inequality` 1.1.2 is the reference for the unweighted measures it has. Its Gini is
Σ_i (2i − n − 1) y_(i) / (n Σ y) — the population Gini, no n/(n−1) correction — the same
normalisation as `gini`, so the two are compared directly. Its Theil replaces zeros by
float.tiny, which moves T by < 1e-300, so zeros are compared directly as well.
"""

import math
import warnings
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inequality.gini import Gini
from inequality.theil import Theil, TheilD

from lib.inequality import (
    coefficient_of_variation,
    gini,
    gini_by_group,
    income_ratio,
    lorenz_curve,
    ratios,
    theil_decomposition,
    theil_l,
    theil_t,
)

FAST = settings(max_examples=60, deadline=None)

incomes = st.lists(
    st.floats(min_value=0.01, max_value=1e7, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=60,
)
incomes_with_zeros = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e7)), min_size=1, max_size=60
).filter(any)


@st.composite
def weighted_rows(draw, zeros: bool = False):
    """Incomes, integer frequencies (some 0, not all) and group labels of the same length."""
    values = draw(incomes_with_zeros if zeros else incomes)
    n = len(values)
    weights = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n).filter(any))
    kept = [v for v, w in zip(values, weights, strict=True) if w]
    if not any(kept):
        weights = [1] * n
    groups = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    return np.array(values), np.array(weights), np.array(groups)


# ------------------------------------------------------------------- hand-computed cases


def test_equal_incomes_are_perfectly_equal():
    for measure in (gini, theil_t, theil_l, coefficient_of_variation):
        assert measure([1, 1, 1, 1]) == 0.0
        assert measure([7.5] * 5, [1, 2, 3, 4, 5]) == pytest.approx(0.0, abs=1e-15)
    r = ratios([3, 3, 3, 3, 3])
    assert (r.max_min, r.palma, r.s80_s20, r.p90_p10) == pytest.approx((1, 0.25, 1, 1))


def test_one_holds_everything():
    assert gini([0, 0, 0, 1]) == 0.75  # 1 − 1/n
    assert theil_t([0, 0, 0, 1]) == pytest.approx(math.log(4))  # the maximum, ln n
    assert theil_t([0, 0, 10]) == pytest.approx(math.log(3))


def test_small_gini_by_hand():
    # |pairs| of [1, 3, 4, 4]: 2+3+3+1+1+0 = 10 unordered → 20 ordered; 20 / (2·4²·3)
    assert gini([4, 1, 4, 3]) == pytest.approx(20 / 96, abs=1e-15)
    # the same as 1 row of 1, 1 of 3, 2 of 4
    assert gini([1, 3, 4], [1, 1, 2]) == pytest.approx(20 / 96, abs=1e-15)
    assert coefficient_of_variation([1, 3, 4, 4]) == pytest.approx(math.sqrt(1.5) / 3)


def test_two_group_decomposition_by_hand():
    # A = [1, 3] (mean 2), B = [4, 4] (mean 4); overall mean 3, income 12.
    y, g = [1, 3, 4, 4], ["A", "A", "B", "B"]
    s_a, s_b = 4 / 12, 8 / 12
    t_a = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    d = theil_decomposition(y, g)
    assert d.kind == "T"
    assert list(d.groups) == ["A", "B"]
    assert d.between == pytest.approx(s_a * math.log(2 / 3) + s_b * math.log(4 / 3), abs=1e-15)
    assert d.within == pytest.approx(s_a * t_a, abs=1e-15)
    assert d.group_index == pytest.approx([t_a, 0.0], abs=1e-15)
    assert d.contribution == pytest.approx([s_a * t_a, 0.0], abs=1e-15)
    assert d.income_share == pytest.approx([s_a, s_b])
    assert d.population_share == pytest.approx([0.5, 0.5])
    assert d.total == pytest.approx(theil_t(y), abs=1e-15)
    assert d.between_share == pytest.approx(d.between / d.total)

    l_a = 0.5 * math.log(2 / 1) + 0.5 * math.log(2 / 3)
    d = theil_decomposition(y, g, kind="L")
    assert d.between == pytest.approx(0.5 * math.log(3 / 2) + 0.5 * math.log(3 / 4), abs=1e-15)
    assert d.within == pytest.approx(0.5 * l_a, abs=1e-15)
    assert d.group_index == pytest.approx([l_a, 0.0], abs=1e-15)
    assert d.total == pytest.approx(theil_l(y), abs=1e-15)
    assert d.total == pytest.approx(d.between + d.within, abs=1e-15)


def test_weighted_decomposition_by_hand():
    # Rows as (income, people): A = (1, 2), (3, 1); B = (6, 1). Same as repeating the rows.
    y, w, g = [1, 3, 6], [2, 1, 1], [0, 0, 1]
    d = theil_decomposition(y, g, w)
    e = theil_decomposition([1, 1, 3, 6], [0, 0, 0, 1])
    for field in ("total", "between", "within"):
        assert getattr(d, field) == pytest.approx(getattr(e, field), abs=1e-15)
    assert d.population_share == pytest.approx([0.75, 0.25])
    assert d.income_share == pytest.approx([5 / 11, 6 / 11])


def test_group_with_no_income_under_theil_t():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = theil_decomposition([0, 0, 0, 10, 10, 10], [0, 0, 0, 1, 1, 1])
    assert d.total == pytest.approx(math.log(2))
    assert d.between == pytest.approx(math.log(2))
    assert d.within == 0.0
    assert math.isnan(d.group_index[0])
    assert list(d.contribution) == [0.0, 0.0]


def test_lorenz_curve():
    p, share = lorenz_curve([4, 1, 3, 4])
    assert list(p) == [0, 0.25, 0.5, 0.75, 1]
    assert share == pytest.approx([0, 1 / 12, 4 / 12, 8 / 12, 1])
    # Gini = 1 − 2 · area under the curve (trapezoids)
    assert 1 - 2 * np.trapezoid(share, p) == pytest.approx(gini([4, 1, 3, 4]))
    p, share = lorenz_curve([1, 3, 4], [1, 1, 2])
    assert list(p) == [0, 0.25, 0.5, 1]
    assert share == pytest.approx([0, 1 / 12, 4 / 12, 1])
    grid, sampled = lorenz_curve(np.arange(1, 101), points=5)
    assert list(grid) == [0, 0.25, 0.5, 0.75, 1]
    assert (sampled[0], sampled[-1]) == (0.0, 1.0)
    assert sampled[2] == pytest.approx(sum(range(1, 51)) / 5050)
    with pytest.raises(ValueError, match="points"):
        lorenz_curve([1, 2], points=1)


def test_ratios_by_hand():
    y = np.arange(1, 11, dtype=float)  # 10 people, incomes 1..10, total 55
    r = ratios(y)
    assert r.max_min == 10
    assert r.top10_share == pytest.approx(10 / 55)
    assert r.bottom40_share == pytest.approx(10 / 55)
    assert r.palma == pytest.approx(1.0)
    assert r.s80_s20 == pytest.approx(19 / 3)
    assert (r.p90, r.p10, r.p90_p10) == (9.0, 1.0, 9.0)
    # P90/P10 agree with numpy's inverted-CDF quantiles
    rng = np.random.default_rng(7)
    for n in (1, 2, 9, 10, 11, 37, 100, 101):
        z = rng.lognormal(10, 1, n)
        r = ratios(z)
        assert r.p10 == np.quantile(z, 0.1, method="inverted_cdf")
        assert r.p90 == np.quantile(z, 0.9, method="inverted_cdf")
    zero_bottom = ratios([0, 0, 0, 0, 5])
    assert zero_bottom.max_min == math.inf
    assert zero_bottom.palma == math.inf


def test_published_urban_rural_ratio():
    # Zhejiang 2020 (FACTS.md): urban 62,699, rural 31,930 yuan → 1.96
    assert income_ratio(62_699, 31_930) == Decimal("1.96")
    assert income_ratio(Decimal(62699), Decimal("31930")) == Decimal("1.96")
    assert income_ratio("62,699", "31,930") == Decimal("1.96")
    assert income_ratio(62699.0, 31930) == Decimal("1.96")
    assert income_ratio(62_699, 31_930, places=4) == Decimal("1.9636")
    assert income_ratio(1, 8, places=2) == Decimal("0.13")  # half-up
    assert income_ratio(62_699, 31_930, places=None) == Decimal(62699) / Decimal(31930)
    with pytest.raises(ValueError, match="positive"):
        income_ratio(1, 0)
    with pytest.raises(ValueError, match="negative"):
        income_ratio(-1, 2)
    with pytest.raises(ValueError, match="not finite"):
        income_ratio(float("nan"), 2)
    with pytest.raises(ValueError, match="not a number"):
        income_ratio("abc", 2)
    with pytest.raises(TypeError):
        income_ratio(True, 2)


def test_accepts_lists_arrays_and_decimals():
    expected = gini([1.0, 2.0, 5.0])
    assert gini(np.array([1, 2, 5], dtype=np.int32)) == expected
    assert gini([Decimal(1), Decimal(2), Decimal(5)]) == expected
    assert gini((1, 2, 5), np.array([1.0, 1.0, 1.0])) == pytest.approx(expected, abs=1e-15)


# --------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "measure",
    [gini, theil_t, theil_l, coefficient_of_variation, ratios, lorenz_curve],
)
@pytest.mark.parametrize(
    ("values", "weights", "message"),
    [
        ([], None, r"values: empty input"),
        ([1, float("nan"), 2], None, r"values\[1\] is NaN"),
        ([1, 2, float("inf")], None, r"values\[2\] is infinite"),
        ([1, -2, 3, -4], None, r"values\[1\] is negative"),
        ([[1, 2], [3, 4]], None, r"values: expected a 1-D"),
        (["a", "b"], None, r"values: cannot be read as numbers"),
        ([1, 2, 3], [1, 2], r"weights has length 2, values has length 3"),
        ([1, 2, 3], [1, -1, 2], r"weights\[1\] is negative"),
        ([1, 2, 3], [1, 1, float("nan")], r"weights\[2\] is NaN"),
        ([1, 2, 3], [0, 0, 0], r"weights are all zero"),
        # Theil L names the first zero income before it looks at the mean
        ([0, 0, 0], None, r"values are all zero|values\[0\] is zero: Theil L"),
        ([0, 0, 5], [1, 1, 0], r"values are all zero|values\[0\] is zero: Theil L"),
    ],
)
def test_bad_input(measure, values, weights, message):
    with pytest.raises(ValueError, match=message):
        measure(values, weights)


def test_theil_l_names_the_zero_income():
    with pytest.raises(ValueError, match=r"values\[2\] is zero: Theil L"):
        theil_l([3, 1, 0, 2, 0])
    with pytest.raises(ValueError, match=r"values\[2\] is zero: Theil L"):
        theil_decomposition([3, 1, 0, 2], [0, 0, 1, 1], kind="L")
    # a zero income with zero weight counts for nothing
    assert theil_l([3, 1, 0, 2], [1, 1, 0, 1]) == pytest.approx(theil_l([3, 1, 2]), abs=1e-15)


def test_decomposition_bad_input():
    with pytest.raises(ValueError, match="groups has length 2, values has length 3"):
        theil_decomposition([1, 2, 3], [0, 1])
    with pytest.raises(ValueError, match='kind must be "T" or "L"'):
        theil_decomposition([1, 2, 3], [0, 1, 1], kind="G")
    with pytest.raises(ValueError, match=r"values\[0\] is negative"):
        theil_decomposition([-1, 2, 3], [0, 1, 1])


# ----------------------------------------------------------------- PySAL cross-checks


def test_matches_pysal_on_random_data():
    rng = np.random.default_rng(20250101)
    for n in (1, 2, 3, 10, 101, 2_000):
        for sigma in (0.1, 1.0, 2.5):
            y = rng.lognormal(10, sigma, n)
            groups = rng.integers(0, max(1, n // 7), n)
            assert abs(gini(y) - Gini(y).g) < 1e-9
            assert abs(theil_t(y) - Theil(y).T) < 1e-9
            d, ref = theil_decomposition(y, groups), TheilD(y, groups)
            assert abs(d.total - ref.T) < 1e-9
            assert abs(d.between - ref.bg[0]) < 1e-9
            assert abs(d.within - ref.wg[0]) < 1e-9


@FAST
@given(incomes)
def test_gini_and_theil_match_pysal(values):
    y = np.array(values)
    assert abs(gini(y) - Gini(y).g) < 1e-9
    assert abs(theil_t(y) - Theil(y).T) < 1e-9


@FAST
@given(weighted_rows(zeros=True))
def test_decomposition_matches_pysal(rows):
    y, _, groups = rows
    d, ref = theil_decomposition(y, groups), TheilD(y, groups)
    assert abs(d.total - ref.T) < 1e-9
    assert abs(d.between - ref.bg[0]) < 1e-9
    assert abs(d.within - ref.wg[0]) < 1e-9


# ----------------------------------------------------------------------------- properties


@FAST
@given(weighted_rows(zeros=True))
def test_integer_weights_equal_repeated_rows(rows):
    y, w, groups = rows
    repeated, repeated_groups = np.repeat(y, w), np.repeat(groups, w)
    assert abs(gini(y, w) - gini(repeated)) <= 1e-12
    assert abs(theil_t(y, w) - theil_t(repeated)) <= 1e-12
    assert abs(coefficient_of_variation(y, w) - coefficient_of_variation(repeated)) <= 1e-12
    d, e = theil_decomposition(y, groups, w), theil_decomposition(repeated, repeated_groups)
    for field in ("total", "between", "within"):
        assert abs(getattr(d, field) - getattr(e, field)) <= 1e-12
    assert list(d.groups) == list(e.groups)
    assert np.allclose(d.contribution, e.contribution, rtol=0, atol=1e-12)
    r, s = ratios(y, w), ratios(repeated)
    assert (r.p90, r.p10, r.max_min) == (s.p90, s.p10, s.max_min)
    for field in ("top10_share", "bottom40_share", "top20_share", "bottom20_share"):
        assert abs(getattr(r, field) - getattr(s, field)) <= 1e-12
    grid = np.linspace(0, 1, 11)
    assert np.allclose(lorenz_curve(y, w, 11)[1], lorenz_curve(repeated, points=11)[1], atol=1e-12)
    assert np.array_equal(lorenz_curve(y, w, 11)[0], grid)
    if y[w > 0].all():
        assert abs(theil_l(y, w) - theil_l(repeated)) <= 1e-12


@FAST
@given(weighted_rows(zeros=True), st.floats(min_value=1e-3, max_value=1e3))
def test_scale_invariance(rows, scale):
    y, w, _ = rows
    for measure in (gini, theil_t, coefficient_of_variation):
        assert abs(measure(y * scale, w) - measure(y, w)) < 1e-12
    assert ratios(y * scale, w).palma == pytest.approx(ratios(y, w).palma, rel=1e-12)


@FAST
@given(weighted_rows(zeros=True), st.booleans())
def test_decomposition_identity_and_bounds(rows, weighted):
    y, w, groups = rows
    weights = w if weighted else None
    kinds = ("T", "L") if y[w > 0 if weighted else slice(None)].all() else ("T",)
    for kind in kinds:
        d = theil_decomposition(y, groups, weights, kind=kind)
        assert abs(d.total - (d.between + d.within)) <= 1e-12
        assert abs(d.within - d.contribution.sum()) <= 1e-12
        assert d.between >= -1e-12
        assert (d.contribution >= -1e-12).all()
        assert d.population_share.sum() == pytest.approx(1.0)
        assert d.income_share.sum() == pytest.approx(1.0)
    g = gini(y, weights)
    assert -1e-12 <= g < 1
    p, share = lorenz_curve(y, weights)
    assert (p[0], share[0], p[-1], share[-1]) == (0, 0, 1, 1)
    assert (np.diff(p) > 0).all()
    assert (np.diff(share) >= 0).all()
    assert (share <= p + 1e-12).all()  # the curve lies below the diagonal
    assert 1 - 2 * np.trapezoid(share, p) == pytest.approx(g, abs=1e-12)


def test_gini_by_group_equals_gini_of_each_group():
    rng = np.random.default_rng(7)
    values = rng.lognormal(10, 1, 500)
    groups = rng.integers(0, 23, 500)
    values[groups == 3] = 0.0  # an all-zero group: undefined
    names, result = gini_by_group(values, groups)
    for name, g in zip(names.tolist(), result.tolist(), strict=True):
        if name == 3:
            assert np.isnan(g)
        else:
            assert g == pytest.approx(gini(values[groups == name]), abs=1e-12)


def test_gini_by_group_beyond_16_bit_group_indexes():
    """More than 65,536 groups: the int64 sort path gives the same Ginis as the 16-bit one."""
    rng = np.random.default_rng(11)
    groups = np.repeat(np.arange(70_000), 3)
    values = rng.lognormal(10, 1, groups.size)
    names, result = gini_by_group(values, groups)
    assert names.size == 70_000
    for name in (0, 1, 65_535, 65_536, 69_999):
        assert result[name] == pytest.approx(gini(values[groups == name]), abs=1e-12)
    # The same rows as two halves below the 16-bit limit give the same values.
    low = groups < 35_000
    _names, low_result = gini_by_group(values[low], groups[low])
    np.testing.assert_allclose(low_result, result[:35_000], atol=1e-12)


def test_gini_by_group_rejects_mismatched_groups():
    with pytest.raises(ValueError, match="groups"):
        gini_by_group([1.0, 2.0], [1])


def _gini_by_python_ints(values: list[int]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    numerator = sum(r * v for r, v in zip(range(1 - n, n, 2), ordered, strict=True))
    return numerator / (n * sum(ordered))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**14), min_size=2, max_size=3000).filter(any))
def test_gini_exact_sums_in_chunks_exactly_when_the_whole_sum_would_overflow(values):
    from lib.inequality import gini_exact

    assert gini_exact(np.array(values, dtype=np.int64)) == _gini_by_python_ints(values)


def test_gini_exact_of_a_country_of_large_incomes_is_the_python_ints_figure():
    from lib.inequality import gini_exact

    rng = np.random.default_rng(11)
    values = (rng.lognormal(20, 2, 620_573)).astype(np.int64).clip(0, 10**13)
    assert gini_exact(values) == _gini_by_python_ints(values.tolist())
