"""lib/scenarios.py: recomputation against figures worked out by hand, the weak rule, the
parsing of changes and its refusals.

The base of most tests (fen; the line is a total income below 100):

    index  code           county   total  holding in venture 1 (capital, received)
    0      330482106209   330482     200  —
    1      330482107201   330482      90  —
    2      330482107208   330482      80  1000, 30
    3      331121201201   331121      50  1000, 30

Venture 1's actual rate: 60 × 10000 / 2000 = 300 bp. Weak actually: 1, 2 and 3.
"""

from __future__ import annotations

import numpy as np
import pytest

from lib import scenarios as sc
from lib.scenarios import (
    Base,
    Budget,
    Holdings,
    NewPark,
    ParkRate,
    ScenarioError,
    Stake,
    Threshold,
    WeakLine,
    compare,
    figures,
    judge_weak,
    parse_changes,
    recompute,
)

CODES = ["330482106209", "330482107201", "330482107208", "331121201201"]
V1 = sc.venture_key(1)


def make_base(**overrides) -> Base:
    values = {
        "codes": np.array(CODES),
        "counties": np.array([code[:6] for code in CODES]),
        "total": np.array([200, 90, 80, 50], dtype=np.int64),
        "operating": np.array([100, 45, np.nan, 25], dtype=np.float64),
        "recurring": np.full(4, np.nan),
        "thresholds": (Threshold("33", total=100),),
        "holdings": Holdings(
            village=np.array([2, 3], dtype=np.int64),
            park=np.array([V1, V1]),
            capital=np.array([1000, 1000], dtype=np.int64),
            received=np.array([30, 30], dtype=np.int64),
        ),
        "rates": {V1: sc.actual_rate(2000, 60)},
    }
    values.update(overrides)
    return Base(**values)


def test_the_actual_rate_is_floored_basis_points():
    assert sc.actual_rate(2000, 60) == 300
    assert sc.actual_rate(3, 1) == 3333
    assert sc.actual_rate(0, 10) == 0


def test_no_change_reproduces_the_actual():
    base = make_base()
    outcome = recompute(base, ())
    assert outcome.total.tolist() == [200, 90, 80, 50]
    assert outcome.weak.tolist() == [False, True, True, True]
    assert outcome.returns.tolist() == [0, 0, 30, 30]
    assert outcome.capital_added == 0


def test_a_higher_park_rate_lifts_by_the_floor_rule():
    # 1000 × 500 / 10000 = 50 instead of 30: +20 → 100 (at the line: lifted) and 70.
    outcome = recompute(make_base(), [ParkRate(V1, 500)])
    assert outcome.total.tolist() == [200, 90, 100, 70]
    assert outcome.weak.tolist() == [False, True, False, True]
    assert outcome.returns.tolist() == [0, 0, 50, 50]
    # Operating income moves with it where reported; a missing one stays missing.
    assert outcome.operating[3] == 45
    assert np.isnan(outcome.operating[2])


def test_a_rate_cut_never_takes_an_income_below_zero():
    base = make_base(total=np.array([200, 90, 80, 10], dtype=np.int64))
    outcome = recompute(base, [ParkRate(V1, 0)])
    assert outcome.total.tolist() == [200, 90, 50, 0]


def test_a_new_park_a_stake_and_a_budget():
    changes = [
        NewPark(sc.new_park_key("N"), 2000),
        Stake(sc.new_park_key("N"), "330482107201", 60),  # 60 × 2000 / 10000 = 12 → 102
        Budget(V1, 1001),  # weak now: 2 and 3 → allocate(1001, [1, 1]) = [501, 500]
    ]
    outcome = recompute(make_base(), changes)
    # 2: 1501 × 300 / 10000 = 45 (floor of 45.03) instead of 30 → 95; 3: 1500 → 45 → 65.
    assert outcome.total.tolist() == [200, 102, 95, 65]
    assert outcome.weak.tolist() == [False, False, True, True]
    assert outcome.capital.tolist() == [0, 60, 1501, 1500]
    assert outcome.capital_added == 60 + 1001


def test_a_second_budget_goes_to_the_villages_still_weak():
    changes = [NewPark(sc.new_park_key("N"), 10_000), Budget(sc.new_park_key("N"), 10)]
    changes.append(Budget(sc.new_park_key("N"), 40))
    # First: 1, 2, 3 weak → 4, 3, 3 fen staked at 100 % → 94, 83, 53: all still weak.
    # Second: 14, 13, 13 more → stakes 18, 16, 16 → 108, 96, 66.
    outcome = recompute(make_base(), changes)
    assert outcome.total.tolist() == [200, 108, 96, 66]
    assert outcome.weak.tolist() == [False, False, True, True]


def test_a_changed_weak_line_replaces_the_lines_in_force_under_its_region():
    outcome = recompute(make_base(), [WeakLine("330482", 85)])
    assert outcome.weak.tolist() == [False, False, True, True]  # 3 keeps the province's line


def test_a_stake_in_an_unknown_park_or_of_an_unknown_village_is_refused():
    with pytest.raises(ScenarioError) as error:
        recompute(make_base(), [Stake(sc.venture_key(9), CODES[0], 5)])
    assert error.value.key == "scenario.unknown_park"
    with pytest.raises(ScenarioError) as error:
        recompute(make_base(), [Stake(V1, "330482999999", 5)])
    assert error.value.key == "scenario.unknown_village"


def test_the_weak_rule_most_specific_region_any_all_and_missing_figures():
    codes = np.array(CODES)
    total = np.array([200, 90, 80, 50])
    operating = np.array([100, 45, np.nan, 25], dtype=np.float64)
    recurring = np.full(4, np.nan)
    thresholds = [
        Threshold("33", total=100),
        # 平湖's own lines override the province's: weak when both tests hold.
        Threshold("330482", total=95, operating=50, all_=True),
    ]
    weak = judge_weak(codes, total, operating, recurring, thresholds)
    # 1: 90 < 95 and 45 < 50; 2: operating missing, so not both; 3: the province's line.
    assert weak.tolist() == [False, True, False, True]
    any_rule = [Threshold("33", total=100), Threshold("330482", total=10, operating=50)]
    assert judge_weak(codes, total, operating, recurring, any_rule).tolist() == [
        False,
        True,
        False,
        True,
    ]
    # Two thresholds of one region: weak under either.
    two = [Threshold("330482", total=85), Threshold("330482", operating=46)]
    assert judge_weak(codes, total, operating, recurring, two).tolist() == [
        False,
        True,
        True,
        False,
    ]


def test_figures_by_hand():
    result = figures(recompute(make_base(), ()), make_base().counties)
    # Sorted 50, 80, 90, 200: Σ(2i − n − 1)·y = −150 − 80 + 90 + 600 = 460; G = 460 / (4·420).
    assert result["gini"] == pytest.approx(460 / 1680, abs=1e-6)
    assert result["villages"] == 4
    assert result["weak"] == {"count": 3, "share": 0.75}
    assert result["total_income"] == {"sum": 420, "mean": 105, "median": 85, "min": 50, "max": 200}
    assert result["returns"] == 60
    assert result["ratios"]["max_min"] == 4.0
    # Theil T = Σ (y/μ) ln(y/μ) / n, μ = 105.
    y = np.array([200, 90, 80, 50]) / 105
    assert result["theil_t"] == pytest.approx(float((y * np.log(y)).sum() / 4), abs=1e-6)


def test_compare_counts_the_lifted_and_the_newly_weak():
    base = make_base()
    result = compare(base, [[ParkRate(V1, 500)], [WeakLine("330482", 210)]])
    first, second = result["scenarios"]
    assert result["actual"]["weak"]["count"] == 3
    assert first["weak"] | {} == {"count": 2, "share": 0.5, "lifted": 1, "newly_weak": 0}
    assert second["weak"]["newly_weak"] == 1
    assert second["weak"]["lifted"] == 0
    assert result["villages_total"] == 3  # 2 and 3 (incomes), 0 (newly weak)
    assert [row["index"] for row in result["villages"]] == [0, 2, 3]
    assert result["villages"][1]["scenarios"][0] == {"total_income": 100, "weak": False}


def test_every_income_zero_leaves_the_measures_undefined():
    base = make_base(total=np.zeros(4, dtype=np.int64), holdings=Holdings.empty(), rates={})
    result = figures(recompute(base), base.counties)
    assert result["gini"] is None
    assert result["ratios"]["palma"] is None


def test_changes_are_parsed_from_their_stored_form():
    parsed = parse_changes(
        [
            {"kind": "park_rate", "venture": 1, "rate_bp": 800},
            {"kind": "new_park", "park": " 新园区 ", "rate_bp": 900},
            {"kind": "stake", "village": CODES[0], "park": "新园区", "stake_fen": 5},
            {"kind": "weak_line", "region": "330482", "line_fen": 100},
            {"kind": "budget", "venture": 1, "budget_fen": 7},
        ]
    )
    assert parsed == (
        ParkRate(V1, 800),
        NewPark("new:新园区", 900),
        Stake("new:新园区", CODES[0], 5),
        WeakLine("330482", 100),
        Budget(V1, 7),
    )


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"kind": "budget"}, "scenario.not_a_list"),
        (["x"], "scenario.not_a_change"),
        ([{"kind": "gift"}], "scenario.unknown_kind"),
        ([{"kind": "park_rate", "venture": 1}], "scenario.missing"),
        ([{"kind": "park_rate", "venture": 1, "rate_bp": 5, "x": 1}], "scenario.unexpected"),
        ([{"kind": "park_rate", "venture": 1, "rate_bp": 5.5}], "scenario.not_whole"),
        ([{"kind": "park_rate", "venture": 1, "rate_bp": True}], "scenario.not_whole"),
        ([{"kind": "park_rate", "venture": 1, "rate_bp": -1}], "scenario.out_of_range"),
        ([{"kind": "park_rate", "venture": 1, "rate_bp": 100_001}], "scenario.out_of_range"),
        ([{"kind": "budget", "venture": 1, "budget_fen": 0}], "scenario.zero"),
        ([{"kind": "budget", "budget_fen": 5}], "scenario.park_xor"),
        ([{"kind": "budget", "venture": 1, "park": "a", "budget_fen": 5}], "scenario.park_xor"),
        ([{"kind": "budget", "park": "a", "budget_fen": 5}], "scenario.unknown_park"),
        ([{"kind": "new_park", "park": " ", "rate_bp": 5}], "scenario.bad_name"),
        ([{"kind": "weak_line", "region": "33a", "line_fen": 5}], "scenario.bad_code"),
        ([{"kind": "stake", "village": "3304", "venture": 1, "stake_fen": 5}], "scenario.bad_code"),
        (
            [{"kind": "new_park", "park": "a", "rate_bp": 5}] * 2,
            "scenario.duplicate_park",
        ),
        (
            [{"kind": "park_rate", "venture": 1, "rate_bp": 5}] * 2,
            "scenario.duplicate_rate",
        ),
    ],
)
def test_bad_changes_are_refused_with_a_message_key(changes, key):
    with pytest.raises(ScenarioError) as error:
        parse_changes(changes)
    assert error.value.key == key
    assert str(error.value)  # the English message formats


def test_every_message_key_has_english_text():
    for key in sc.MESSAGES:
        assert key.startswith("scenario.")


def test_a_holder_without_recorded_capital_keeps_what_it_received_under_a_new_rate():
    holdings = Holdings(
        village=np.array([2, 3], dtype=np.int64),
        park=np.array([V1, V1]),
        capital=np.array([1000, 0], dtype=np.int64),
        received=np.array([30, 30], dtype=np.int64),
    )
    outcome = recompute(make_base(holdings=holdings), [ParkRate(V1, 500)])
    assert outcome.total.tolist() == [200, 90, 100, 50]
