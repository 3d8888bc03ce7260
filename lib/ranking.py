"""Composite rankings: normalise KPI values, weight them, rank with explicit ties.

Pure numpy (no Django). The method, as published on the showcase's method page:

1. **Normalisation (min–max).** For each KPI k with values v_ik over the n ranked villages,
   a village's KPI score is on a 0–100 scale::

       higher is better:  s_ik = 100 · (v_ik − min_k) / (max_k − min_k)
       lower is better:   s_ik = 100 · (max_k − v_ik) / (max_k − min_k)

   min/max are taken over the villages that have a value. When every village has the same
   value (max = min) everybody scores 100: nobody is behind. A village without a value
   (missing statistics) scores 0 for that KPI. A KPI that no village has a value for is
   left out of the period altogether, and the remaining weights are renormalised.
2. **Weights.** Weights are any positive numbers; they are divided by their sum, so
   (40, 30, 30) and (4, 3, 3) are the same scheme. The composite score is
   S_i = Σ_k (w_k / Σ w) · s_ik, again on a 0–100 scale.
3. **Precision.** S_i is rounded half-up to 2 decimals (0.01 point) before ranking; that
   rounded score is the published score.
4. **Ties: standard competition ranking ("1224").** Villages with equal rounded scores
   share a rank; the next rank skips by the number of villages tied (1, 2, 2, 4). Within a
   tie the order shown is by village code, which decides nothing.

Min–max scores keep the distance between villages (a village far ahead stays far ahead),
which a rank-based score would hide; their weakness (one outlier compresses the others)
is why the raw values are published next to the scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "HIGHER",
    "LOWER",
    "PRECISION",
    "Ranking",
    "competition_ranks",
    "composite",
    "normalise",
    "rank",
    "round_score",
]

HIGHER: Literal["higher"] = "higher"
LOWER: Literal["lower"] = "lower"
PRECISION = 2  # decimals of the published score; ties are equal scores at this precision
SCALE = 100.0

FloatArray = npt.NDArray[np.float64]


def _values(values: Sequence[Any] | npt.NDArray[Any]) -> FloatArray:
    """Values as float64, None → NaN (missing); refuses infinities and other shapes."""
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"values: expected a 1-D sequence, got shape {array.shape}")
    if np.isinf(array).any():
        index = int(np.flatnonzero(np.isinf(array))[0])
        raise ValueError(f"values[{index}] is infinite")
    return array


def normalise(values: Sequence[Any] | npt.NDArray[Any], direction: str = HIGHER) -> FloatArray:
    """Min–max scores on 0–100 (see the module docstring); missing values (None/NaN) → 0.

    Raises ValueError for an unknown direction, an infinite value, or no value at all.
    """
    if direction not in (HIGHER, LOWER):
        raise ValueError(f'direction must be "higher" or "lower", got {direction!r}')
    v = _values(values)
    present = ~np.isnan(v)
    if not present.any():
        raise ValueError("no village has a value for this KPI")
    low, high = float(v[present].min()), float(v[present].max())
    scores = np.zeros_like(v)
    if high == low:
        scores[present] = SCALE
        return scores
    spread = high - low
    if direction == HIGHER:
        scores[present] = SCALE * (v[present] - low) / spread
    else:
        scores[present] = SCALE * (high - v[present]) / spread
    return scores


def _weights(weights: Sequence[Any]) -> FloatArray:
    w = np.array([float(x) for x in weights], dtype=np.float64)
    if w.size == 0:
        raise ValueError("a ranking needs at least one KPI")
    if not np.isfinite(w).all() or (w <= 0).any():
        index = int(np.flatnonzero(~np.isfinite(w) | (w <= 0))[0])
        raise ValueError(f"weights[{index}] must be a positive number, got {weights[index]!r}")
    return w / w.sum()


def composite(scores: FloatArray, weights: Sequence[Any]) -> FloatArray:
    """Weighted sum of KPI scores (rows: villages, columns: KPIs), weights renormalised."""
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"scores: expected a 2-D array, got shape {matrix.shape}")
    w = _weights(weights)
    if matrix.shape[1] != w.size:
        raise ValueError(f"{matrix.shape[1]} KPI columns but {w.size} weights")
    # A fixed summation order per row, so a village's score never depends on the others'
    # order (permutation invariance, and equal rows give bit-equal scores).
    total = np.zeros(matrix.shape[0])
    for k in range(w.size):
        total = total + matrix[:, k] * w[k]
    return total


def round_score(score: float) -> int:
    """A score in hundredths of a point, rounded half-up (the published precision)."""
    return int(np.floor(score * 10**PRECISION + 0.5 + 1e-9))


def competition_ranks(points: Sequence[int]) -> tuple[list[int], list[bool]]:
    """Standard competition ranks ("1224") of integer points, higher first; and tie flags."""
    counts: dict[int, int] = {}
    for p in points:
        counts[p] = counts.get(p, 0) + 1
    rank_of: dict[int, int] = {}
    next_rank = 1
    for p in sorted(counts, reverse=True):
        rank_of[p] = next_rank
        next_rank += counts[p]
    return [rank_of[p] for p in points], [counts[p] > 1 for p in points]


@dataclass(frozen=True)
class Ranking:
    """The result of `rank`, one item per village in input order.

    ``kpi_scores`` holds each KPI's 0–100 score (columns in ``used`` order, i.e. without
    the KPIs left out because nobody had a value); ``points`` the composite score in
    hundredths (an int, so ties are exact); ``ranks`` competition ranks; ``tied`` whether
    the village shares its rank.
    """

    kpi_scores: FloatArray
    used: list[int]
    omitted: list[int]
    weights: FloatArray
    points: list[int]
    ranks: list[int]
    tied: list[bool]


def rank(
    values: Sequence[Sequence[Any]] | npt.NDArray[Any],
    directions: Sequence[str],
    weights: Sequence[Any],
) -> Ranking:
    """Rank villages by KPI values: ``values[i][k]`` is village i's value of KPI k (None:
    missing). ``directions[k]`` is "higher" or "lower"; ``weights[k]`` positive.

    KPIs no village has a value for are omitted (their index is in ``omitted``) and the
    remaining weights renormalised; if every KPI is omitted this raises ValueError.
    """
    rows = [list(row) for row in values]
    if not rows:
        raise ValueError("nothing to rank: no villages")
    width = len(directions)
    if len(weights) != width:
        raise ValueError(f"{width} directions but {len(weights)} weights")
    _weights(weights)  # checks every weight, used or not
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"values[{i}] has {len(row)} KPI values, expected {width}")
    columns = [[row[k] for row in rows] for k in range(width)]
    used = [k for k in range(width) if any(v is not None and v == v for v in columns[k])]
    omitted = [k for k in range(width) if k not in used]
    if not used:
        raise ValueError("no village has a value for any KPI")
    scores = np.column_stack([normalise(columns[k], directions[k]) for k in used])
    used_weights = [weights[k] for k in used]
    totals = composite(scores, used_weights)
    points = [round_score(float(s)) for s in totals]
    ranks, tied = competition_ranks(points)
    return Ranking(
        kpi_scores=scores,
        used=used,
        omitted=omitted,
        weights=_weights(used_weights),
        points=points,
        ranks=ranks,
        tied=tied,
    )
