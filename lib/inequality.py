"""Inequality measures: Gini, Theil T and L (with decomposition), share ratios, Lorenz curve.

Pure numpy (no Django). Every function takes incomes ``values`` (a list or a 1-D array; ints,
floats or Decimals, computed in float64) and optional non-negative ``weights`` of the same
length (e.g. each village's population), so that a weighted row counts as ``w`` people with
that income. With integer weights every measure equals the unweighted measure on the rows
repeated ``w`` times (``np.repeat(values, weights)``); rows of weight 0 count for nothing.

Notation used in the docstrings: incomes y_i ≥ 0, weights w_i ≥ 0 (all 1 if not given),
W = Σ w_i, population shares p_i = w_i / W, weighted mean μ = Σ w_i y_i / W, income shares
s_i = w_i y_i / Σ_j w_j y_j.

Conventions, compared with PySAL's ``inequality`` 1.1.2 (used only as a cross-check in the
tests and the benchmark, never imported here):

- Gini is the population Gini (no n/(n−1) finite-sample correction), the same normalisation
  as PySAL's ``Gini(y).g``.
- Theil T treats 0·ln 0 as 0, so zero incomes are allowed (PySAL adds ``float.tiny``
  instead, which gives the same value to within ~1e-300). Theil L (mean log deviation) is
  undefined when an income with positive weight is zero: that raises ``ValueError`` naming
  the index, rather than silently substituting a tiny income.
- PySAL has no weights, no Theil L, no per-group within contributions, no share ratios.

Bad input raises ``ValueError`` saying what is wrong and the first offending index: empty
input, NaN or infinite values, negative values, weights of another length, negative, NaN or
all-zero weights; and, where the index is undefined, a zero mean income.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "Ratios",
    "TheilDecomposition",
    "coefficient_of_variation",
    "gini",
    "gini_by_group",
    "gini_exact",
    "income_ratio",
    "lorenz_curve",
    "ratios",
    "theil_decomposition",
    "theil_l",
    "theil_t",
]

ArrayLike = Sequence[Any] | npt.NDArray[Any]
FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- input checks


def _as_float_array(data: ArrayLike, name: str) -> FloatArray:
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: cannot be read as numbers ({error})") from None
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D sequence, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name}: empty input")
    finite = np.isfinite(array)
    if not finite.all():
        index = int(np.flatnonzero(~finite)[0])
        kind = "NaN" if np.isnan(array[index]) else "infinite"
        raise ValueError(f"{name}[{index}] is {kind}")
    if array.min() < 0:
        index = int(np.flatnonzero(array < 0)[0])
        raise ValueError(f"{name}[{index}] is negative ({array[index]!r})")
    return array


def _prepare(
    values: ArrayLike,
    weights: ArrayLike | None,
    *,
    measure: str,
    positive: bool = False,
) -> tuple[FloatArray, FloatArray | None]:
    """Check the input; return (y, w) with zero-weight rows dropped (w is None if unweighted)."""
    y, w, _ = _prepare_rows(values, weights, measure=measure, positive=positive)
    return y, w


def _prepare_rows(
    values: ArrayLike,
    weights: ArrayLike | None,
    *,
    measure: str,
    positive: bool = False,
) -> tuple[FloatArray, FloatArray | None, npt.NDArray[np.bool_] | None]:
    """`_prepare`, also returning the mask of kept rows (None when every row is kept).

    ``positive=True``: a zero income (with positive weight) makes ``measure`` undefined.
    The mean income must be positive in every case.
    """
    y = _as_float_array(values, "values")
    w: FloatArray | None = None
    keep: npt.NDArray[np.bool_] | None = None
    if weights is not None:
        w = _as_float_array(weights, "weights")
        if w.size != y.size:
            raise ValueError(f"weights has length {w.size}, values has length {y.size}")
        if not w.any():
            raise ValueError("weights are all zero")
    counted = y if w is None else np.where(w > 0, y, 1.0)
    if positive and not counted.all():
        index = int(np.flatnonzero(counted == 0)[0])
        raise ValueError(
            f"values[{index}] is zero: {measure} is undefined with a zero income "
            "(ln 0); use Theil T or give that row weight 0"
        )
    if w is not None and not w.all():
        keep = w > 0
        y, w = y[keep], w[keep]
    if not y.any():
        raise ValueError(f"values are all zero: {measure} is undefined for a zero mean income")
    return y, w, keep


# ------------------------------------------------------------------------------- measures


def gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Gini coefficient (population form), optionally weighted, in O(n log n).

    Definition (mean absolute difference over all ordered pairs, halved, over the mean)::

        G = Σ_i Σ_j w_i w_j |y_i − y_j| / (2 W² μ),   W = Σ w,  μ = Σ w y / W

    Computed after sorting y ascending (ties in any order): for each i the pairs with a
    smaller income add w_i w_j y_i and those with a larger one subtract it, so with the
    weight strictly before i, C_{<i}, and strictly after, C_{>i} = W − C_{<i} − w_i::

        Σ_i Σ_j w_i w_j |y_i − y_j| = 2 Σ_i w_i y_i (C_{<i} − C_{>i})
        G = Σ_i w_i y_i (2 C_{<i} + w_i − W) / (W · Σ_i w_i y_i)

    Tied incomes cancel pairwise, so their order does not matter. Unweighted (w = 1) this is
    Σ_i (2i − n − 1) y_(i) / (n Σ y), i = 1..n, exactly PySAL's ``Gini(y).g``; there is no
    n/(n−1) correction. G = 0 when all incomes are equal; one person holding everything
    among n gives 1 − 1/n (e.g. [0, 0, 0, 1] → 0.75).
    """
    y, w = _prepare(values, weights, measure="the Gini coefficient")
    if w is None:
        n = y.size
        ordered = np.sort(y)
        rank_weights = np.arange(1 - n, n, 2, dtype=np.float64)  # 2i − n − 1, i = 1..n
        return float(rank_weights @ ordered / (n * ordered.sum()))
    order = np.argsort(y, kind="stable")
    ordered, ordered_w = y[order], w[order]
    cumulative = np.cumsum(ordered_w)
    total_w = cumulative[-1]
    centred_rank = 2.0 * cumulative - ordered_w - total_w  # 2 C_{<i} + w_i − W
    income = ordered_w * ordered
    return float(income @ centred_rank / (total_w * income.sum()))


_INT64_MAX = 2**63 - 1


def gini_exact(values: ArrayLike) -> float:
    r"""The unweighted Gini of integer incomes (fen), in exact integer arithmetic.

    The same measure as ``gini`` (Σ_i (2i − n − 1) y_(i) / (n Σ y)), but numerator and
    denominator are exact integers (int64 when no partial sum can overflow, Python ints
    otherwise) and divided once, so the result is the exact Gini correctly rounded to a
    float: no float64 sum of large amounts loses fen on the way. Same refusals as ``gini``
    (empty, negative, all zero); floats are refused (use ``gini``).
    """
    y = np.asarray(values)
    if y.ndim != 1:
        raise ValueError(f"values: expected a 1-D sequence, got shape {y.shape}")
    if y.dtype.kind not in "iuO":
        raise ValueError(f"values: gini_exact takes integers, got {y.dtype}")
    n = y.size
    if n == 0:
        raise ValueError("values: empty input")
    items = [int(v) for v in y.tolist()] if y.dtype.kind == "O" else None
    lowest = min(items) if items is not None else int(y.min())
    if lowest < 0:
        index = (items or y.tolist()).index(lowest)
        raise ValueError(f"values[{index}] is negative ({lowest})")
    largest = max(items) if items is not None else int(y.max())
    if items is None and largest * n * n <= _INT64_MAX:
        ordered = np.sort(y.astype(np.int64))
        total = int(ordered.sum())
        numerator = int(np.arange(1 - n, n, 2, dtype=np.int64) @ ordered)
    elif items is None and largest * n <= _INT64_MAX // 4:
        # Each product (2i − n − 1)·y fits int64, the whole sum may not: sum in int64 over
        # chunks short enough never to overflow, and add the chunks' sums as Python ints
        # (the country: 620,573 incomes in ~400 chunks instead of 620,573 Python products).
        ordered = np.sort(y.astype(np.int64))
        weights = np.arange(1 - n, n, 2, dtype=np.int64)
        chunk = max(1, _INT64_MAX // (2 * max(largest, 1) * n))
        total = sum(int(ordered[i : i + chunk].sum()) for i in range(0, n, chunk))
        numerator = sum(
            int(weights[i : i + chunk] @ ordered[i : i + chunk]) for i in range(0, n, chunk)
        )
    else:
        ordered_list = sorted(items if items is not None else y.tolist())
        total = sum(ordered_list)
        numerator = sum(r * v for r, v in zip(range(1 - n, n, 2), ordered_list, strict=True))
    if total == 0:
        raise ValueError("values are all zero: the Gini coefficient is undefined for a zero mean")
    return numerator / (n * total)  # exact integers: one correctly rounded division


def gini_by_group(values: ArrayLike, groups: ArrayLike) -> tuple[npt.NDArray[Any], FloatArray]:
    r"""Unweighted Gini of every group at once: (sorted distinct group labels, their Ginis).

    Two sorts (income, then group) and a few ``np.bincount`` passes, whatever the number of
    groups; each group's value is exactly ``gini(values[groups == g])``, i.e. with r the
    rank within the group (1..n_g)::

        G_g = Σ_{i∈g} (2 r_i − n_g − 1) y_(i) / (n_g Σ_{i∈g} y_i)

    A group whose incomes are all zero gets NaN (its Gini is undefined).
    """
    y = _as_float_array(values, "values")
    labels = np.asarray(groups)
    if labels.ndim != 1 or labels.size != y.size:
        raise ValueError(f"groups has shape {labels.shape}, values has length {y.size}")
    names, inverse = np.unique(labels, return_inverse=True)
    inverse = inverse.ravel()
    # Sort by income, then stably by group: incomes ascending within each group (two plain
    # sorts are about twice as fast as np.lexsort on (float, int) keys). With at most 65,536
    # groups the group index fits 16 bits, where numpy's stable sort is a radix sort (~5×
    # faster than on int64 for 620,000 rows).
    by_income = np.argsort(y)
    group_of = inverse[by_income]
    if names.size <= 1 << 16:
        group_of = group_of.astype(np.uint16)
    order = by_income[np.argsort(group_of, kind="stable")]
    ordered, group = y[order], inverse[order]
    counts = np.bincount(group, minlength=names.size)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(y.size) - starts[group] + 1  # 1..n_g within each group
    weighted = np.bincount(
        group, weights=(2 * rank - counts[group] - 1) * ordered, minlength=names.size
    )
    totals = np.bincount(group, weights=ordered, minlength=names.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(totals > 0, weighted / (counts * totals), np.nan)
    return names, result


def theil_t(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Theil T index (GE(1)), optionally population-weighted.

    With population shares p_i = w_i / W and income shares s_i = w_i y_i / Σ w y::

        T = Σ_i s_i ln(s_i / p_i) = Σ_i p_i (y_i / μ) ln(y_i / μ)

    Zero incomes are allowed: 0 · ln 0 = 0. T = 0 for equal incomes; its maximum is ln W
    (one person has everything). Unweighted it equals PySAL's ``Theil(y).T``.
    """
    y, w = _prepare(values, weights, measure="Theil T")
    return float(_theil_t_terms(y, w).sum())


def _theil_t_terms(y: FloatArray, w: FloatArray | None) -> FloatArray:
    """s_i ln(y_i / μ) for each row (0 where y_i = 0)."""
    income = y if w is None else w * y
    total_w = y.size if w is None else w.sum()
    mean = income.sum() / total_w
    shares = income / income.sum()
    positive = y > 0
    logs = np.zeros_like(y)
    np.log(y / mean, out=logs, where=positive)
    return shares * logs


def theil_l(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Theil L index: mean log deviation (GE(0)), optionally population-weighted.

    With population shares p_i = w_i / W and income shares s_i = w_i y_i / Σ w y::

        L = Σ_i p_i ln(p_i / s_i) = Σ_i p_i ln(μ / y_i)

    Undefined when an income with positive weight is zero (ln 0): raises ``ValueError``
    naming the first such index. L = 0 for equal incomes.
    """
    y, w = _prepare(values, weights, measure="Theil L (mean log deviation)", positive=True)
    return float(_theil_l_terms(y, w).sum())


def _theil_l_terms(y: FloatArray, w: FloatArray | None) -> FloatArray:
    """p_i ln(μ / y_i) for each row."""
    if w is None:
        mean = y.mean()
        return np.log(mean / y) / y.size
    total_w = w.sum()
    mean = (w @ y) / total_w
    return (w / total_w) * np.log(mean / y)


@dataclass(frozen=True)
class TheilDecomposition:
    """Theil T or L split into between-group and within-group parts.

    ``groups`` holds the distinct group labels (sorted); the per-group arrays follow it.
    ``group_index`` is each group's own Theil index (T_g or L_g; NaN for a Theil T group
    whose incomes are all zero, which holds no income and contributes 0), and
    ``contribution`` its weighted share of ``within``: S_g T_g for T, P_g L_g for L.
    """

    kind: Literal["T", "L"]
    total: float
    between: float
    within: float
    groups: npt.NDArray[Any]
    population_share: FloatArray
    income_share: FloatArray
    group_index: FloatArray
    contribution: FloatArray

    @property
    def between_share(self) -> float:
        """Fraction of the total explained by differences between group means."""
        return self.between / self.total if self.total else 0.0


def theil_decomposition(
    values: ArrayLike,
    groups: ArrayLike,
    weights: ArrayLike | None = None,
    kind: Literal["T", "L"] = "T",
) -> TheilDecomposition:
    r"""Decompose Theil T or L over a partition into groups (e.g. villages by county).

    For group g: population share P_g = Σ_{i∈g} w_i / W, income share
    S_g = Σ_{i∈g} w_i y_i / Σ w y, mean μ_g; T_g and L_g are the group's own indices.

    Theil T (income-share weighted)::

        T = Σ_g S_g ln(S_g / P_g)  +  Σ_g S_g T_g          (between + within)
          = Σ_g S_g ln(μ_g / μ)    +  Σ_g Σ_{i∈g} s_i ln(y_i / μ_g)

    Theil L (population-share weighted)::

        L = Σ_g P_g ln(P_g / S_g)  +  Σ_g P_g L_g
          = Σ_g P_g ln(μ / μ_g)    +  Σ_g Σ_{i∈g} p_i ln(μ_g / y_i)

    ``total`` is computed directly over all rows (as ``theil_t`` / ``theil_l`` do), so
    total == between + within holds as an identity up to rounding (≈1e-15). Unweighted T
    gives PySAL's ``TheilD(y, groups).bg`` and ``.wg``. Groups are found with
    ``np.unique`` (any sortable labels); all groups run in one pass (``np.bincount``).
    Zero-weight rows are ignored; a group with only zero-weight rows does not appear.
    """
    if kind not in ("T", "L"):
        raise ValueError(f'kind must be "T" or "L", got {kind!r}')
    labels = np.asarray(groups)
    if labels.ndim != 1:
        raise ValueError(f"groups: expected a 1-D sequence, got shape {labels.shape}")
    measure = "Theil T" if kind == "T" else "Theil L (mean log deviation)"
    y, w, keep = _prepare_rows(values, weights, measure=measure, positive=kind == "L")
    rows = y.size if keep is None else keep.size
    if labels.size != rows:
        raise ValueError(f"groups has length {labels.size}, values has length {rows}")
    if keep is not None:
        labels = labels[keep]
    names, inverse = np.unique(labels, return_inverse=True)
    inverse = inverse.ravel()
    group_count = names.size

    income = y if w is None else w * y
    pop = np.ones_like(y) if w is None else w
    group_pop = np.bincount(inverse, weights=pop, minlength=group_count)
    group_income = np.bincount(inverse, weights=income, minlength=group_count)
    total_pop, total_income = group_pop.sum(), group_income.sum()
    pop_share = group_pop / total_pop
    income_share = group_income / total_income
    mean = total_income / total_pop
    group_mean = group_income / group_pop

    if kind == "T":
        total = float(_theil_t_terms(y, w).sum())
        has_income = group_income > 0
        between_terms = np.zeros(group_count)
        np.log(group_mean / mean, out=between_terms, where=has_income)
        between = float((income_share * between_terms).sum())
        positive = y > 0
        relative = np.divide(y, group_mean[inverse], out=np.ones_like(y), where=positive)
        logs = np.log(relative)
        contribution = np.bincount(
            inverse, weights=(income / total_income) * logs, minlength=group_count
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            group_index = np.where(has_income, contribution / income_share, np.nan)
    else:
        total = float(_theil_l_terms(y, w).sum())
        between = float((pop_share * np.log(mean / group_mean)).sum())
        logs = np.log(group_mean[inverse] / y)
        contribution = np.bincount(inverse, weights=(pop / total_pop) * logs, minlength=group_count)
        group_index = contribution / pop_share
    return TheilDecomposition(
        kind=kind,
        total=total,
        between=between,
        within=float(contribution.sum()),
        groups=names,
        population_share=pop_share,
        income_share=income_share,
        group_index=group_index,
        contribution=contribution,
    )


def coefficient_of_variation(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Coefficient of variation: population standard deviation over the mean.

    ::

        CV = sqrt(Σ_i p_i (y_i − μ)²) / μ,   p_i = w_i / W

    (no n/(n−1) correction, so integer weights equal repeated rows).
    """
    y, w = _prepare(values, weights, measure="the coefficient of variation")
    if w is None:
        mean = y.mean()
        return float(np.sqrt(np.mean((y - mean) ** 2)) / mean)
    p = w / w.sum()
    mean = p @ y
    return float(np.sqrt(p @ (y - mean) ** 2) / mean)


def _lorenz(y: FloatArray, w: FloatArray | None) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(sorted incomes, population share, income share), shares with a leading 0."""
    if w is None:
        ordered = np.sort(y)
        pop = np.arange(ordered.size + 1, dtype=np.float64) / ordered.size
        income = ordered
    else:
        order = np.argsort(y, kind="stable")
        ordered, ordered_w = y[order], w[order]
        pop = np.concatenate(([0.0], np.cumsum(ordered_w)))
        pop /= pop[-1]
        income = ordered_w * ordered
    share = np.concatenate(([0.0], np.cumsum(income)))
    share /= share[-1]
    pop[-1] = share[-1] = 1.0
    return ordered, pop, share


def lorenz_curve(
    values: ArrayLike, weights: ArrayLike | None = None, points: int | None = None
) -> tuple[FloatArray, FloatArray]:
    r"""Lorenz curve: (cumulative population share, cumulative income share).

    Rows sorted by income ascending; vertex k is (Σ_{i≤k} w_i / W, Σ_{i≤k} w_i y_i / Σ w y),
    with (0, 0) prepended; the last vertex is (1, 1). Between vertices the curve is linear
    (everyone in a row has that row's income). With ``points`` (≥ 2) the curve is sampled at
    ``points`` evenly spaced population shares 0, 1/(points−1), …, 1 by linear interpolation.
    The Gini coefficient is 1 − 2·(area under this curve).
    """
    y, w = _prepare(values, weights, measure="the Lorenz curve")
    _, pop, share = _lorenz(y, w)
    if points is None:
        return pop, share
    if isinstance(points, bool) or not isinstance(points, int | np.integer) or points < 2:
        raise ValueError(f"points must be an integer ≥ 2, got {points!r}")
    grid = np.linspace(0.0, 1.0, int(points))
    return grid, np.interp(grid, pop, share)


@dataclass(frozen=True)
class Ratios:
    """Ratios between the top and the bottom of a distribution (see `ratios`)."""

    max_min: float
    palma: float
    s80_s20: float
    p90_p10: float
    top10_share: float
    bottom40_share: float
    top20_share: float
    bottom20_share: float
    p90: float
    p10: float


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else math.inf


def ratios(values: ArrayLike, weights: ArrayLike | None = None) -> Ratios:
    r"""Top/bottom ratios; population shares are weighted when weights are given.

    - ``max_min``: max y / min y over rows with positive weight.
    - Shares read off the Lorenz curve L(p) (linear between rows, so a row on the boundary
      is split by population): top 10% share = 1 − L(0.9), bottom 40% = L(0.4),
      top 20% = 1 − L(0.8), bottom 20% = L(0.2).
    - ``palma`` = top 10% share / bottom 40% share.
    - ``s80_s20`` (quintile share ratio) = top 20% share / bottom 20% share.
    - ``p90_p10`` = P90 / P10, quantiles by the inverted empirical CDF (numpy's
      ``method="inverted_cdf"``): P_q = the smallest y_(k) with Σ_{i≤k} w_(i) ≥ q·W.

    A zero denominator (e.g. the bottom 20% have no income) gives ``math.inf``.
    """
    y, w = _prepare(values, weights, measure="the share ratios")
    ordered, pop, share = _lorenz(y, w)
    at = np.interp([0.2, 0.4, 0.8, 0.9], pop, share)
    bottom20, bottom40 = float(at[0]), float(at[1])
    top20, top10 = 1.0 - float(at[2]), 1.0 - float(at[3])
    cumulative = pop[1:]  # population share up to and including each sorted row
    last = ordered.size - 1
    p10 = float(ordered[min(int(np.searchsorted(cumulative, 0.1)), last)])
    p90 = float(ordered[min(int(np.searchsorted(cumulative, 0.9)), last)])
    return Ratios(
        max_min=_ratio(float(ordered[-1]), float(ordered[0])),
        palma=_ratio(top10, bottom40),
        s80_s20=_ratio(top20, bottom20),
        p90_p10=_ratio(p90, p10),
        top10_share=top10,
        bottom40_share=bottom40,
        top20_share=top20,
        bottom20_share=bottom20,
        p90=p90,
        p10=p10,
    )


def _as_decimal(number: Any, name: str) -> Decimal:
    if isinstance(number, bool):
        raise TypeError(f"{name}: a bool is not a number")
    if isinstance(number, Decimal):
        result = number
    elif isinstance(number, int | str):
        try:
            result = Decimal(str(number).replace(",", "").strip())
        except InvalidOperation:
            raise ValueError(f"{name}: {number!r} is not a number") from None
    elif isinstance(number, float):
        result = Decimal(repr(number))  # the shortest decimal that reads back as this float
    else:
        raise TypeError(f"{name}: expected an int, Decimal, str or float, got {type(number)}")
    if not result.is_finite():
        raise ValueError(f"{name}: {number!r} is not finite")
    return result


def income_ratio(a: Any, b: Any, places: int | None = 2) -> Decimal:
    r"""A published two-number ratio a / b (e.g. urban / rural per-capita income).

    Exact decimal arithmetic, rounded half-up to ``places`` decimals (None: not rounded,
    28 significant digits). Accepts ints, Decimals, strings ("62,699") and floats (read by
    their shortest repr). Example: Zhejiang 2020, 62,699 / 31,930 → Decimal("1.96").
    """
    numerator, denominator = _as_decimal(a, "a"), _as_decimal(b, "b")
    if numerator < 0:
        raise ValueError(f"a: {a!r} is negative")
    if denominator <= 0:
        raise ValueError(f"b: {b!r} must be positive")
    result = numerator / denominator
    if places is None:
        return result
    return result.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
