"""lib/optimise.py: the capital-placement optimiser, its baselines and its errors.

The oracle here is independent of the module: `evaluate` recomputes a plan's figures from
the raw integers, and `brute_force` enumerates every plan of whole units (over-staking and
staking without lifting included), so agreeing with it on small instances checks both the
solver and the reduction to "k* units or nothing" argued in the module docstring.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lib import optimise as opt
from lib.optimise import (
    DuplicateName,
    EmptyInput,
    Infeasible,
    InvalidCountyCap,
    InvalidNumber,
    InvalidTimeLimit,
    NegativeNumber,
    NoCandidates,
    OptimiseError,
    Park,
    PlanInvalid,
    PlanRow,
    TooLarge,
    UnitAboveCapacity,
    Village,
    ZeroBudget,
    ZeroRate,
    ZeroUnit,
    check_plan,
    equal_split,
    greedy,
    lift_units,
    optimise,
)

# ---------------------------------------------------------------------------------- oracle


def county_cap_fen(budget, share):
    return None if share is None else math.floor(Fraction(share) * budget)


def evaluate(plan, villages, parks, budget, share):
    """(lifted, capital) of a plan from the raw integers; asserts it is feasible."""
    by_code = {v.code: v for v in villages}
    by_park = {p.park: p for p in parks}
    cap = county_cap_fen(budget, share)
    assert len({row.village for row in plan}) == len(plan), "one park per village"
    per_park, per_county, lifted, capital = {}, {}, 0, 0
    for row in plan:
        village, park = by_code[row.village], by_park[row.park]
        assert village.income_fen < village.line_fen, "only candidates take stakes"
        assert row.units >= 1
        assert row.stake_fen == row.units * park.unit_fen
        assert row.return_fen == row.stake_fen * park.rate_bp // 10_000
        assert row.lifted == (village.income_fen + row.return_fen >= village.line_fen)
        lifted += row.lifted
        capital += row.stake_fen
        per_park[row.park] = per_park.get(row.park, 0) + row.stake_fen
        per_county[village.county] = per_county.get(village.county, 0) + row.stake_fen
    for name, staked in per_park.items():
        assert staked <= by_park[name].capacity_fen
    assert capital <= budget
    if cap is not None:
        assert all(staked <= cap for staked in per_county.values())
    return lifted, capital


def brute_force(villages, parks, budget, share):
    """Lexicographic optimum (most lifted, least capital) over every plan of whole units."""
    cap = county_cap_fen(budget, share)
    candidates = [v for v in villages if v.income_fen < v.line_fen]
    best = (0, 0)  # staking nothing is always feasible

    def walk(i, park_room, county_room, budget_left, lifted, capital):
        nonlocal best
        if (lifted, -capital) > (best[0], -best[1]):
            best = (lifted, capital)
        if i == len(candidates) or lifted + len(candidates) - i < best[0]:
            return
        village = candidates[i]
        walk(i + 1, park_room, county_room, budget_left, lifted, capital)  # nothing
        room_c = county_room.get(village.county, cap) if cap is not None else None
        for p, park in enumerate(parks):
            limit = min(park_room[p], budget_left, room_c if room_c is not None else budget_left)
            for units in range(1, limit // park.unit_fen + 1):
                stake = units * park.unit_fen
                up = village.income_fen + stake * park.rate_bp // 10_000 >= village.line_fen
                rooms = list(park_room)
                rooms[p] -= stake
                counties = dict(county_room)
                if cap is not None:
                    counties[village.county] = room_c - stake
                walk(i + 1, rooms, counties, budget_left - stake, lifted + up, capital + stake)

    walk(0, [p.capacity_fen for p in parks], {}, budget, 0, 0)
    return best


# ------------------------------------------------------------------------------ strategies


@st.composite
def tiny_instances(draw):
    """At most 4 villages and 2 parks with at most 4 units each: brute force stays small."""
    parks = []
    for p in range(draw(st.integers(1, 2))):
        unit = draw(st.integers(1, 20))
        # About `per_unit` fen of return a unit, off by a jittered rate so floors bite.
        per_unit = draw(st.integers(2, 15))
        rate = min(10_000 * per_unit // unit + draw(st.integers(-999, 999)), 100_000)
        parks.append(
            Park(
                f"P{p}",
                max(rate, 1),
                unit * draw(st.integers(1, 4)) + draw(st.integers(0, unit - 1)),
                unit,
            )
        )
    villages = []
    for v in range(draw(st.integers(1, 4))):
        income = draw(st.integers(0, 50))
        villages.append(
            Village(
                f"V{v}",
                draw(st.sampled_from("AB")),
                income,
                max(0, income + draw(st.integers(-2, 25))),  # a few at or above their line
            )
        )
    smallest = min(p.unit_fen for p in parks)  # mostly a budget that buys a unit or more
    budget = draw(st.sampled_from([1, smallest, smallest])) + draw(st.integers(0, 100))
    share = draw(st.sampled_from([None, None, "1/4", "1/2", "3/4", 1]))
    return villages, parks, budget, share


@st.composite
def instances(draw, max_villages=40, max_parks=5):
    """Larger random instances (no brute force): feasibility and baselines."""
    parks = []
    for p in range(draw(st.integers(1, max_parks))):
        unit = draw(st.sampled_from([1_000, 5_000, 10_000, 50_000]))
        parks.append(
            Park(
                f"P{p}",
                draw(st.integers(100, 2_000)),
                unit * draw(st.integers(1, 200)),
                unit,
            )
        )
    villages = []
    for v in range(draw(st.integers(1, max_villages))):
        income = draw(st.integers(0, 100_000))
        villages.append(
            Village(
                f"V{v}",
                draw(st.sampled_from(["330100", "330200", "330300"])),
                income,
                income + draw(st.integers(1, 20_000)),
            )
        )
    budget = draw(st.integers(1, sum(p.capacity_fen for p in parks)))
    share = draw(st.sampled_from([None, "0.1", "0.25", "0.5"]))
    return villages, parks, budget, share


@st.composite
def tight_instances(draw):
    """12–25 villages, 3–4 parks of 2–5 units each: capacities, budget and caps all bind, so
    the LP's rounded plan is often not optimal and the MILP runs after pricing (about 40 %
    of cases, tuned by sampling)."""
    parks = []
    for p in range(draw(st.integers(3, 4))):
        unit = draw(st.sampled_from([2, 3, 5, 7, 11]))
        per_unit = draw(st.integers(3, 9))
        rate = 10_000 * per_unit // unit + draw(st.integers(0, 500))
        parks.append(Park(f"P{p}", rate, unit * draw(st.integers(2, 5)), unit))
    villages = [
        Village(f"V{v}", draw(st.sampled_from("ABC")), 0, draw(st.integers(1, 39)))
        for v in range(draw(st.integers(12, 25)))
    ]
    capacity = sum(p.capacity_fen for p in parks)
    budget = draw(st.integers(capacity // 4, capacity))
    share = draw(st.sampled_from([None, "0.3", "0.4", "1/2"]))
    return villages, parks, budget, share


def solve_or_none(villages, parks, budget, share, **kwargs):
    """optimise(), or None when the input has no candidate or no liftable village."""
    try:
        return optimise(villages, parks, budget, county_cap=share, **kwargs)
    except (NoCandidates, Infeasible):
        return None


# --------------------------------------------------------------------------- lift_units


@pytest.mark.parametrize(
    ("gap", "unit", "rate", "expected"),
    [
        (100, 1_000, 1_000, 1),  # one unit returns exactly 100
        (101, 1_000, 1_000, 2),
        (1, 1, 1, 10_000),  # 10,000 fen at 1 bp return 1 fen
        (3, 3_333, 1, 10),  # 9,999 × 1 // 10,000 = 0 per unit; 10 units return 3
        (20_000_000, 1_000_000, 900, 223),
    ],
)
def test_lift_units_is_the_fewest_units_whose_floored_return_covers_the_gap(
    gap, unit, rate, expected
):
    assert lift_units(gap, unit, rate) == expected
    assert expected * unit * rate // 10_000 >= gap
    assert (expected - 1) * unit * rate // 10_000 < gap


@given(st.integers(1, 10**9), st.integers(1, 10**9), st.integers(1, 100_000))
def test_lift_units_property(gap, unit, rate):
    k = lift_units(gap, unit, rate)
    assert k >= 1
    assert k * unit * rate // 10_000 >= gap
    assert (k - 1) * unit * rate // 10_000 < gap


# ------------------------------------------------------------------------- small examples


def test_a_worked_example():
    # Park A: 10 % on units of ¥1,000 (100,000 fen), room for 3 units. Park B: 5 %, units of
    # ¥500, room for 10. Budget ¥3,000.
    parks = [Park("A", 1_000, 300_000, 100_000), Park("B", 500, 500_000, 50_000)]
    villages = [
        Village("v1", "c1", 0, 10_000),  # gap ¥100: 1 unit in A, or 4 units (¥2,000) in B
        Village("v2", "c1", 0, 20_000),  # gap ¥200: 2 in A (¥2,000), or 8 in B (¥4,000)
        Village("v3", "c2", 4_000, 10_000),  # gap ¥60: 1 in A, or 3 in B (¥1,500)
        Village("v4", "c2", 10_000, 10_000),  # at its line: excluded
    ]
    result = optimise(villages, parks, 300_000)
    assert result.status == "optimal"
    assert result.gap == 0
    assert result.excluded == 1
    assert result.candidates == 3
    # Three lifts would need ≥ ¥1,000 + ¥2,000 + ¥1,000: not within ¥3,000. Two: v1 and v3,
    # cheapest both in A (¥1,000 each), which has room for both.
    assert result.lifted == 2
    assert result.capital_fen == 200_000
    assert result.plan == (
        PlanRow("v1", "A", 1, 100_000, 10_000, True),
        PlanRow("v3", "A", 1, 100_000, 10_000, True),
    )
    assert evaluate(result.plan, villages, parks, 300_000, None) == (2, 200_000)


def test_greedy_fills_parks_by_rate_with_the_cheapest_lifts():
    parks = [Park("low", 500, 10_000_000, 1_000), Park("high", 1_000, 200_000, 100_000)]
    villages = [
        Village("a", "c", 0, 10_000),  # high: 1 unit (100,000); low: 200 units (200,000)
        Village("b", "c", 0, 5_000),  # high: 1 unit (100,000); low: 100 units (100,000)
        Village("c", "c", 0, 15_000),  # high: 2 units (200,000); low: 300,000
    ]
    base = greedy(villages, parks, 10_000_000)
    # The high park first: a and b cost 100,000 each there (ties by input order), filling it;
    # c then goes to the low park for 300,000.
    assert [(r.village, r.park, r.units) for r in base.plan] == [
        ("a", "high", 1),
        ("b", "high", 1),
        ("c", "low", 300),
    ]
    assert (base.lifted, base.capital_fen) == (3, 500_000)


def test_equal_split_gives_every_candidate_the_same_allowance():
    parks = [Park("high", 1_000, 250_000, 100_000), Park("low", 500, 10_000_000, 30_000)]
    villages = [
        Village("a", "c", 0, 10_000),
        Village("b", "c", 0, 25_000),
        Village("c", "c", 0, 10_000),
        Village("rich", "c", 50_000, 10_000),  # excluded: the allowance is budget / 3
    ]
    base = equal_split(villages, parks, 700_000)
    # allowance 233,333: a takes 2 units in high (return 20,000: lifted), b cannot fit a unit
    # of high any more (50,000 left), so 7 units of low (210,000, return 10,500: not lifted);
    # c likewise 7 units of low.
    assert [(r.village, r.park, r.units, r.lifted) for r in base.plan] == [
        ("a", "high", 2, True),
        ("b", "low", 7, False),
        ("c", "low", 7, True),
    ]
    assert (base.lifted, base.capital_fen) == (2, 620_000)


def test_county_cap_is_a_share_of_the_budget_floored_to_fen():
    parks = [Park("A", 10_000, 10_000, 1)]  # 100 %: one fen returns one fen
    villages = [Village(f"v{i}", "same", 0, 10) for i in range(5)]
    result = optimise(villages, parks, 101, county_cap="0.3")  # cap floor(30.3) = 30
    assert result.county_cap_fen == 30
    assert result.lifted == 3
    assert result.capital_fen == 30
    assert optimise(villages, parks, 101, county_cap=0.3).county_cap_fen == 30
    assert optimise(villages, parks, 101, county_cap=Fraction(1, 3)).county_cap_fen == 33


def test_the_solver_never_stakes_in_a_village_it_does_not_lift():
    parks = [Park("A", 1_000, 10**9, 1_000)]
    villages = [Village(f"v{i}", "c", 0, 1_000 * (i + 1)) for i in range(20)]
    result = optimise(villages, parks, 10**9)
    assert result.lifted == 20
    assert all(row.lifted for row in result.plan)
    assert all(
        row.units == lift_units(v.line_fen, 1_000, 1_000)
        for row, v in zip(result.plan, villages, strict=True)
    )


# --------------------------------------------------------------------------------- errors


def villages_and_parks():
    return [Village("v", "c", 0, 100)], [Park("P", 1_000, 10_000, 1_000)]


@pytest.mark.parametrize(
    ("change", "error", "key"),
    [
        (lambda v, p, b: ([], p, b), EmptyInput, "optimise.empty_villages"),
        (lambda v, p, b: (v, [], b), EmptyInput, "optimise.empty_parks"),
        (lambda v, p, b: (v, p, 0), ZeroBudget, "optimise.zero_budget"),
        (lambda v, p, b: (v, p, -5), NegativeNumber, "optimise.negative"),
        (lambda v, p, b: (v, p, 10.0), InvalidNumber, "optimise.not_integer"),
        (lambda v, p, b: (v, p, True), InvalidNumber, "optimise.not_integer"),
        (lambda v, p, b: (v, p, 10**14), TooLarge, "optimise.too_large"),
        (lambda v, p, b: (v, [Park("P", 0, 10_000, 1_000)], b), ZeroRate, "optimise.zero_rate"),
        (lambda v, p, b: (v, [Park("P", 1_000, 10_000, 0)], b), ZeroUnit, "optimise.zero_unit"),
        (
            lambda v, p, b: (v, [Park("P", 1_000, 999, 1_000)], b),
            UnitAboveCapacity,
            "optimise.unit_above_capacity",
        ),
        (
            lambda v, p, b: (v, [Park("P", 1_000, 0, 1_000)], b),
            UnitAboveCapacity,
            "optimise.unit_above_capacity",
        ),
        (
            lambda v, p, b: (v, [Park("P", -1, 10_000, 1_000)], b),
            NegativeNumber,
            "optimise.negative",
        ),
        (
            lambda v, p, b: (v, [Park("P", 1_000, -1, 1_000)], b),
            NegativeNumber,
            "optimise.negative",
        ),
        (lambda v, p, b: (v, [Park("P", 10**6, 10_000, 1_000)], b), TooLarge, "optimise.too_large"),
        (lambda v, p, b: ([Village("v", "c", -1, 100)], p, b), NegativeNumber, "optimise.negative"),
        (lambda v, p, b: ([Village("v", "c", 0, -100)], p, b), NegativeNumber, "optimise.negative"),
        (
            lambda v, p, b: ([Village("v", "c", 0, 1.5)], p, b),
            InvalidNumber,
            "optimise.not_integer",
        ),
        (lambda v, p, b: (v * 2, p, b), DuplicateName, "optimise.duplicate"),
        (lambda v, p, b: (v, p * 2, b), DuplicateName, "optimise.duplicate"),
        (
            lambda v, p, b: ([Village("v", "c", 100, 100)], p, b),
            NoCandidates,
            "optimise.no_candidates",
        ),
        (lambda v, p, b: ([Village("v", "c", 0, 10**9)], p, b), Infeasible, "optimise.infeasible"),
    ],
)
def test_bad_input_raises_a_clear_error(change, error, key):
    villages, parks, budget = change(*villages_and_parks(), 10_000)
    with pytest.raises(error) as raised:
        optimise(villages, parks, budget)
    assert isinstance(raised.value, OptimiseError)
    assert isinstance(raised.value, ValueError)
    assert raised.value.key == key
    assert str(raised.value) == opt.MESSAGES[key].format(**raised.value.params)


def test_error_messages_name_what_is_wrong():
    villages, parks = villages_and_parks()
    with pytest.raises(UnitAboveCapacity, match="Park Q: its stake unit"):
        optimise(villages, [Park("Q", 1_000, 500, 1_000)], 10_000)
    with pytest.raises(ZeroRate, match="Park Q has a return rate of zero"):
        optimise(villages, [Park("Q", 0, 5_000, 1_000)], 10_000)
    with pytest.raises(NoCandidates, match="None of the 2 villages"):
        optimise([Village("a", "c", 5, 5), Village("b", "c", 9, 5)], parks, 10_000)
    with pytest.raises(Infeasible, match="the cheapest lift needs 10000000 fen"):
        optimise([Village("v", "c", 0, 1_000_000)], parks, 10_000)


@pytest.mark.parametrize("share", [0, "0", -0.1, 1.5, "x", True, [0.2]])
def test_county_cap_must_be_a_share(share):
    villages, parks = villages_and_parks()
    with pytest.raises(InvalidCountyCap):
        optimise(villages, parks, 10_000, county_cap=share)


@pytest.mark.parametrize("limit", [0, -1, "5", True, float("nan")])
def test_time_limit_must_be_positive_seconds(limit):
    villages, parks = villages_and_parks()
    with pytest.raises(InvalidTimeLimit):
        optimise(villages, parks, 10_000, time_limit=limit)


def test_a_county_cap_too_small_for_any_lift_is_infeasible():
    villages, parks = villages_and_parks()  # the lift costs 1,000 fen
    with pytest.raises(Infeasible):
        optimise(villages, parks, 10_000, county_cap="0.05")  # 500 fen


# ------------------------------------------------------------------------ the exact check


def test_check_plan_refuses_infeasible_plans():
    villages = [Village("a", "c", 0, 100), Village("b", "c", 0, 100)]
    parks = [Park("P", 1_000, 2_000, 1_000), Park("Q", 1_000, 5_000, 1_000)]
    good = PlanRow("a", "P", 1, 1_000, 100, True)
    assert check_plan([good], villages, parks, 10_000) == (1, 1_000)
    bad_plans = [
        [good, PlanRow("a", "Q", 1, 1_000, 100, True)],  # two parks
        [PlanRow("a", "P", 1, 1_000, 101, True)],  # return not floored rate
        [PlanRow("a", "P", 1, 999, 99, False)],  # not whole units
        [PlanRow("a", "P", 3, 3_000, 300, True)],  # capacity
        [PlanRow("a", "P", 1, 1_000, 100, False)],  # lifted flag
        [PlanRow("z", "P", 1, 1_000, 100, True)],  # unknown village
    ]
    for plan in bad_plans:
        with pytest.raises(PlanInvalid):
            check_plan(plan, villages, parks, 10_000)
    with pytest.raises(PlanInvalid, match="budget"):
        check_plan([good], villages, parks, 999)
    two = [good, PlanRow("b", "Q", 1, 1_000, 100, True)]
    with pytest.raises(PlanInvalid, match="county"):
        check_plan(two, villages, parks, 10_000, county_cap_fen=1_500)


def test_repair_restores_exact_feasibility():
    # A solver answer that breaks the rows (two parks for one village, over capacity, over
    # budget) is cut back with exact integers.
    villages = [Village(f"v{i}", "c", 0, 100 * (i + 1)) for i in range(6)]
    parks = [Park("P", 1_000, 3_000, 1_000), Park("Q", 1_000, 50_000, 1_000)]
    problem = opt._prepare(villages, parks, 8_000, None)
    pairs = opt._pairs(problem)
    chosen, repaired = opt._repair(problem, pairs, np.ones(pairs.village.size, dtype=bool))
    assert repaired
    rows = [
        opt._row(problem, int(pairs.village[j]), int(pairs.park[j]), int(pairs.units[j]))
        for j in np.flatnonzero(chosen)
    ]
    lifted, capital = check_plan(rows, villages, parks, 8_000)
    assert capital <= 8_000
    assert lifted == len(rows) > 0


# ----------------------------------------------------------------------- property tests


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_exhaustive_search_agrees_with_the_optimiser(instance):
    villages, parks, budget, share = instance
    best = brute_force(villages, parks, budget, share)
    event(f"lifted {best[0]}")  # --hypothesis-show-statistics: how varied the cases are
    if all(v.income_fen >= v.line_fen for v in villages):
        with pytest.raises(NoCandidates):
            optimise(villages, parks, budget, county_cap=share)
        return
    result = solve_or_none(villages, parks, budget, share)
    if result is None:  # Infeasible: nothing can be lifted, as brute force must agree
        assert best == (0, 0)
        return
    event(f"MILP runs after pricing: {len(result.stages)}")
    assert result.status == "optimal"
    assert result.gap == 0
    assert (result.lifted, result.capital_fen) == best
    assert evaluate(result.plan, villages, parks, budget, share) == best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_plans_are_feasible_and_never_worse_than_the_baselines(instance):
    villages, parks, budget, share = instance
    result = solve_or_none(villages, parks, budget, share)
    if result is None:
        return
    assert evaluate(result.plan, villages, parks, budget, share) == (
        result.lifted,
        result.capital_fen,
    )
    assert all(row.lifted for row in result.plan)
    assert result.status == "optimal"
    assert result.lifted_bound == result.lifted
    for base in (result.greedy, result.equal):
        assert evaluate(base.plan, villages, parks, budget, share) == (
            base.lifted,
            base.capital_fen,
        )
        assert result.lifted >= base.lifted
        if result.lifted == base.lifted:
            assert result.capital_fen <= base.capital_fen
    # The public baseline functions give what the result carries.
    assert greedy(villages, parks, budget, county_cap=share) == result.greedy
    assert equal_split(villages, parks, budget, county_cap=share) == result.equal


def generated(n_villages, n_parks, seed=7):
    rng = np.random.default_rng(seed)
    villages = [
        Village(f"v{i}", f"c{rng.integers(10)}", 0, int(rng.integers(10**5, 3 * 10**6)))
        for i in range(n_villages)
    ]
    parks = [
        Park(f"p{p}", int(rng.integers(600, 1_200)), 10**8 * int(rng.integers(1, 6)), 10**5)
        for p in range(n_parks)
    ]
    return villages, parks


def test_a_time_limit_still_returns_a_feasible_plan_no_worse_than_greedy():
    villages, parks = generated(600, 12)
    budget = 3 * 10**8
    result = optimise(villages, parks, budget, county_cap="0.2", time_limit=0.05)
    assert result.status in {"optimal", "time_limit"}
    assert result.proven == (result.status == "optimal")
    assert evaluate(result.plan, villages, parks, budget, "0.2") == (
        result.lifted,
        result.capital_fen,
    )
    assert result.lifted >= result.greedy.lifted
    assert result.lifted_bound >= result.lifted
    assert result.gap == (result.lifted_bound - result.lifted) / max(result.lifted, 1)
    if result.status == "time_limit":
        assert result.gap > 0 or result.capital_gap is None or result.capital_gap > 0


def test_the_count_bound_holds():
    villages, parks = generated(300, 6, seed=3)
    budget = 10**8
    result = optimise(villages, parks, budget, county_cap="0.25")
    assert result.status == "optimal"
    problem = opt._prepare(villages, parks, budget, "0.25")
    assert opt._count_bound(problem, opt._pairs(problem)) >= result.lifted


def test_the_solver_prints_nothing(capfd):
    villages, parks = villages_and_parks()
    optimise(villages, parks, 10_000)
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


# ------------------------------------------------------------------- pricing and rounding


def _internals(villages, parks, budget, share):
    problem = opt._prepare(villages, parks, budget, share)
    pairs = opt._pairs(problem)
    start = opt._as_pairs(pairs, opt._greedy_baseline(problem, pairs), problem)
    return problem, pairs, start


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(tight_instances(), tight_instances(), instances(max_villages=30, max_parks=4)))
def test_pricing_finds_what_the_full_model_finds(instance):
    """Leaving out the pairs the relaxations rule out changes neither the count nor the capital."""
    villages, parks, budget, share = instance
    try:
        problem, pairs, start = _internals(villages, parks, budget, share)
    except (NoCandidates, Infeasible):
        return
    if pairs.village.size == 0:
        return
    priced, figures = opt._solve(problem, pairs, start, None, price=True)
    full, full_figures = opt._solve(problem, pairs, start, None, price=False)
    event(f"MILP runs after pricing: {len(figures['stages'])}")
    assert figures["proven_count"]
    assert figures["proven_capital"]
    assert full_figures["proven_count"]
    assert full_figures["proven_capital"]
    assert int(priced.sum()) == int(full.sum())
    assert int(pairs.cost[priced].sum()) == int(pairs.cost[full].sum())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_villages=30, max_parks=4))
def test_relaxation_bounds_and_rounding(instance):
    """The LP bounds hold for the optimum, and a rounded LP solution is a feasible plan."""
    import highspy

    villages, parks, budget, share = instance
    try:
        result = optimise(villages, parks, budget, county_cap=share)
        problem, pairs, start = _internals(villages, parks, budget, share)
    except (NoCandidates, Infeasible):
        return
    model = opt._model(problem, pairs)
    clock = opt._Clock(None)
    bound, reduced, values = opt._relaxation(highspy, model, opt._cheapest(pairs, 1), clock)
    assert bound >= result.lifted - 1e-6
    rounded = opt._round(problem, pairs, values)
    rows = [
        opt._row(problem, int(pairs.village[j]), int(pairs.park[j]), int(pairs.units[j]))
        for j in np.flatnonzero(rounded)
    ]
    assert evaluate(rows, villages, parks, budget, share)[0] == len(rows) <= result.lifted
    cols = np.flatnonzero(bound + np.minimum(reduced, 0) >= result.lifted - 1e-6)
    low, _, values2 = opt._capital_relaxation(highspy, model, cols, result.lifted, clock)
    assert low <= result.capital_fen / model.g + 1e-6
    capped = opt._round(problem, pairs, values2, result.lifted)
    assert int(capped.sum()) <= result.lifted


@pytest.mark.parametrize("seed", range(8))
def test_the_whole_lp_by_interior_point_prunes_as_well(monkeypatch, seed):
    """Large instances solve stage 1's LP whole by interior point: same optimum."""
    rng = np.random.default_rng(seed)
    parks = [
        Park(f"P{p}", int(rng.integers(3_000, 9_000)), 5 * int(rng.integers(2, 6)), 5)
        for p in range(4)
    ]
    villages = [Village(f"V{v}", "ABC"[v % 3], 0, int(rng.integers(1, 40))) for v in range(25)]
    budget = sum(p.capacity_fen for p in parks) // 2
    problem, pairs, start = _internals(villages, parks, budget, "0.4")
    full, _ = opt._solve(problem, pairs, start, None, price=False)
    monkeypatch.setattr(opt, "_PRICE_ALL", 0)
    whole, figures = opt._solve(problem, pairs, start, None, price=True)
    assert figures["proven_count"]
    assert figures["proven_capital"]
    assert int(whole.sum()) == int(full.sum())
    assert int(pairs.cost[whole].sum()) == int(pairs.cost[full].sum())


def test_stage_two_proves_after_a_second_run_on_more_pairs():
    """Found by the pricing test: the first stage-2 run (pairs for capital 21, the bound)
    finds 22; its pairs plus the start plan's happened to number as many as the pairs for 22,
    and the proof must not be taken from the count alone."""
    villages = [
        Village(f"V{i}", "A", 0, line)
        for i, line in enumerate([1, 1, 1, 4, 7, 7, 7, 7, 7, 7, 7, 7, 13, 13, 13])
    ]
    parks = [
        Park("P0", 20_000, 6, 2),
        Park("P1", 6_000, 10, 5),
        Park("P2", 15_000, 10, 2),
        Park("P3", 20_000, 6, 2),
    ]
    problem, pairs, start = _internals(villages, parks, 27, None)
    chosen, figures = opt._solve(problem, pairs, start, None)
    assert figures["proven_count"]
    assert figures["proven_capital"]
    assert (int(chosen.sum()), int(pairs.cost[chosen].sum())) == (7, 22)
    assert len(figures["stages"]) == 2
