"""Exact integer sums in the indicators (issue 10, item 3): a clerk who set a village to
2^63 − 1 fen made the indicators' sum 951 fen off (float64). Money is summed as integers,
and the Gini is computed on the exact values, converted to a float once."""

from fractions import Fraction

import numpy as np
import pytest

from analytics import selectors
from lib import inequality
from lib.money import MAX_FEN, mean_fen, sum_fen
from registry.choices import VillageKind
from registry.models import Village, VillageStat

pytestmark = pytest.mark.usefixtures("empty_cache")

N = 30


@pytest.fixture
def rich(tree):
    """30 平湖 villages at the money limit, a few fen apart."""
    rows = []
    for i in range(N):
        code = f"330482107{300 + i}"
        Village.objects.create(
            code=code,
            name=f"富{i}村村民委员会",
            short_name=f"富{i}村",
            kind=VillageKind.VILLAGE,
            township_id="330482107",
            county_id="330482",
        )
        rows.append(
            VillageStat(
                village_id=code,
                year=2022,
                total_income=MAX_FEN - 7 * i,
                operating_income=MAX_FEN - 3 * i,
            )
        )
    VillageStat.objects.bulk_create(rows)
    return [MAX_FEN - 7 * i for i in range(N)]


def test_a_float64_sum_of_these_would_be_wrong(rich):
    # The point of the test: float64 cannot hold this sum exactly.
    assert int(np.array(rich, dtype=np.float64).sum()) != sum(rich)


def test_the_sum_and_mean_are_exact(rich):
    data = selectors.indicators("330482107", 2022)
    total = data["total_income"]
    assert total["sum"] == sum(rich)
    assert total["mean"] == round(Fraction(sum(rich), N))
    assert total["max"] == MAX_FEN
    assert total["min"] == MAX_FEN - 7 * (N - 1)
    ordered = sorted(rich)
    assert total["median"] == round(Fraction(ordered[N // 2 - 1] + ordered[N // 2], 2))
    assert data["operating_income"]["sum"] == sum(MAX_FEN - 3 * i for i in range(N))


def test_the_gini_is_computed_on_exact_values(rich):
    ordered = sorted(rich)
    exact = Fraction(sum((2 * i - N - 1) * y for i, y in enumerate(ordered, 1)), N * sum(ordered))
    data = selectors.indicators("330482107", 2022)
    assert data["gini"] == round(float(exact), 6)
    assert inequality.gini_exact(np.array(rich, dtype=np.int64)) == float(exact)


def test_the_trend_is_exact_too(rich):
    (row,) = selectors.trend("330482107")
    assert row["mean"] == round(Fraction(sum(rich), N))


def test_exact_helpers_beyond_int64():
    values = [2**63 - 1, 2**63 - 1, 5]
    assert sum_fen(np.array(values, dtype=np.int64)) == sum(values)  # no int64 overflow
    assert sum_fen(values) == sum(values)
    assert mean_fen(values) == round(Fraction(sum(values), 3))
    big = np.array([2**62, 3, 0, 2**61], dtype=np.int64)
    exact = Fraction(
        sum((2 * i - 5) * y for i, y in enumerate(sorted(big.tolist()), 1)), 4 * sum(big.tolist())
    )
    assert inequality.gini_exact(big) == float(exact)
    with pytest.raises(ValueError):
        inequality.gini_exact(np.array([1.5, 2.0]))
    with pytest.raises(ValueError):
        inequality.gini_exact(np.array([3, -1]))
    with pytest.raises(ValueError):
        inequality.gini_exact(np.array([0, 0]))
