"""lib/ranking.py: hand-computed cases, properties (hypothesis), and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.ranking import competition_ranks, composite, normalise, rank, round_score

FAST = settings(max_examples=80, deadline=None)


def test_min_max_scores_both_directions():
    assert normalise([10, 20, 30]).tolist() == [0.0, 50.0, 100.0]
    assert normalise([10, 20, 30], "lower").tolist() == [100.0, 50.0, 0.0]


def test_missing_value_scores_zero_and_equal_values_score_full():
    assert normalise([5, None, 5]).tolist() == [100.0, 0.0, 100.0]
    assert normalise([None, 1.0, 3.0]).tolist() == [0.0, 0.0, 100.0]


def test_competition_ranking_1224():
    ranks, tied = competition_ranks([90, 80, 80, 70])
    assert ranks == [1, 2, 2, 4]
    assert tied == [False, True, True, False]


def test_ties_are_equal_scores_at_two_decimals():
    # 50.004 and 49.995 both publish as 50.00: tied; 50.006 publishes as 50.01: ahead.
    assert [round_score(x) for x in (50.004, 49.995, 50.006)] == [5000, 5000, 5001]


def test_weighted_composite_by_hand():
    # Income (higher, weight 2) and cost (lower, weight 1) for three villages.
    result = rank([[100, 5], [300, 5], [200, 1]], ["higher", "lower"], [2, 1])
    # Income scores 0, 100, 50; cost scores 0, 0, 100 → (0·2 + 0)/3, (200 + 0)/3, (100 + 100)/3.
    assert result.points == [0, 6667, 6667]
    assert result.ranks == [3, 1, 1]
    assert result.tied == [False, True, True]


def test_a_kpi_nobody_has_is_omitted_and_weights_renormalise():
    result = rank([[1, None], [2, None]], ["higher", "higher"], [1, 3])
    assert result.used == [0]
    assert result.omitted == [1]
    assert result.weights.tolist() == [1.0]
    assert result.points == [0, 10000]


@pytest.mark.parametrize(
    ("values", "directions", "weights", "message"),
    [
        ([], ["higher"], [1], "no villages"),
        ([[1]], ["up"], [1], "direction"),
        ([[1]], ["higher"], [0], "positive"),
        ([[1]], ["higher"], [-2], "positive"),
        ([[1, 2]], ["higher"], [1], "2 KPI values"),
        ([[1]], ["higher", "lower"], [1], "weights"),
        ([[None], [None]], ["higher"], [1], "any KPI"),
        ([[float("inf")]], ["higher"], [1], "infinite"),
    ],
)
def test_bad_input_is_refused(values, directions, weights, message):
    with pytest.raises(ValueError, match=message):
        rank(values, directions, weights)


matrices = st.integers(min_value=1, max_value=4).flatmap(
    lambda k: st.lists(
        st.lists(
            st.one_of(st.none(), st.integers(min_value=0, max_value=50).map(float)),
            min_size=k,
            max_size=k,
        ),
        min_size=1,
        max_size=25,
    ).map(lambda rows: (k, rows))
)
directions_for = st.sampled_from(["higher", "lower"])


@FAST
@given(matrices, st.data())
def test_permutation_invariance(case, data):
    k, rows = case
    if all(v is None for row in rows for v in row):
        return
    directions = data.draw(st.lists(directions_for, min_size=k, max_size=k))
    weights = data.draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
    order = data.draw(st.permutations(range(len(rows))))
    base = rank(rows, directions, weights)
    shuffled = rank([rows[i] for i in order], directions, weights)
    assert shuffled.points == [base.points[i] for i in order]
    assert shuffled.ranks == [base.ranks[i] for i in order]


@FAST
@given(matrices, st.data())
def test_ties_share_rank_and_ranks_follow_scores(case, data):
    k, rows = case
    if all(v is None for row in rows for v in row):
        return
    directions = data.draw(st.lists(directions_for, min_size=k, max_size=k))
    weights = data.draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
    result = rank(rows, directions, weights)
    for i in range(len(rows)):
        # rank = 1 + number of villages strictly ahead (competition ranking)
        ahead = sum(1 for p in result.points if p > result.points[i])
        assert result.ranks[i] == 1 + ahead
        assert result.tied[i] == (result.points.count(result.points[i]) > 1)
        assert 0 <= result.points[i] <= 10000
    identical = [i for i, row in enumerate(rows) if row == rows[0]]
    assert len({result.ranks[i] for i in identical}) == 1


@FAST
@given(matrices, st.data(), st.integers(min_value=2, max_value=7))
def test_weights_are_normalised_so_scaling_them_changes_nothing(case, data, factor):
    k, rows = case
    if all(v is None for row in rows for v in row):
        return
    directions = data.draw(st.lists(directions_for, min_size=k, max_size=k))
    weights = data.draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
    base = rank(rows, directions, weights)
    assert base.weights.sum() == pytest.approx(1.0)
    scaled = rank(rows, directions, [w * factor for w in weights])
    assert scaled.ranks == base.ranks


def test_composite_checks_its_shape():
    with pytest.raises(ValueError, match="2 KPI columns but 1 weights"):
        composite(np.zeros((3, 2)), [1])
