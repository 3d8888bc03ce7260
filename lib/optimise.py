"""Place a capital budget in enclave parks so that the most weak villages are lifted.

Pure Python, numpy and HiGHS (through ``highspy``); no Django imports. Every amount is an
integer number of fen and every figure that decides feasibility is computed with exact
integers; the solver only chooses, and its choice is re-checked exactly before it is returned.

The problem (issue 15, item 2)
------------------------------
Inputs: candidate villages v, each with a county c(v), an income I_v and the line L_v it must
reach (fen); parks p, each with an annual return rate r_p (basis points), a capacity C_p (fen)
and a stake unit u_p (fen); a budget B (fen); optionally a share s of the budget that no
county may exceed: the county cap is K = floor(s·B) fen, the same for every county.

Decision: whole units x[v,p] ≥ 0, at most one park per village, such that

    Σ_v u_p·x[v,p] ≤ C_p          for every park p          (capacity)
    Σ_v,p u_p·x[v,p] ≤ B                                    (budget)
    Σ_{v in c} Σ_p u_p·x[v,p] ≤ K  for every county c        (county cap, when given)

A village's return is R_v = floor(u_p·x[v,p]·r_p / 10000) fen, and v is lifted when
I_v + R_v ≥ L_v. Objective, lexicographic: the most villages lifted; among plans lifting as
many, the least capital Σ u_p·x[v,p].

The general MILP and why it reduces to an assignment
----------------------------------------------------
Written out in full the model has integer units x[v,p] ≥ 0, binaries y[v,p] (v takes p) and
z_v (v lifted), Σ_p y[v,p] ≤ 1, x[v,p] ≤ U[v,p]·y[v,p] with U the useful maximum of units,
the three knapsack rows above and "z_v = 1 only if the floored return reaches the gap
g_v = L_v − I_v". The floor is what makes this awkward for a solver; it goes away exactly:

1. Minimal lifting units. floor(a / 10000) ≥ g holds, for an integer g, iff a ≥ 10000·g, so
   the fewest whole units that lift v in p are

       k*[v,p] = ceil(10000·g_v / (u_p·r_p)),   cost q[v,p] = k*[v,p]·u_p fen,

   computed in integers. More units than k* never lift v more (so U = k*), and since the
   return is non-decreasing in the units, x[v,p] lifts v iff x[v,p] ≥ k*[v,p].
2. Normal form. Take any feasible plan X and build X': x'[v,p] = k*[v,p] where v is lifted
   in p by X, and 0 everywhere else (villages X stakes without lifting, and the excess above
   k*). Then X' ≤ X unit by unit; every constraint is a sum of non-negative multiples of the
   units bounded above, so X' is feasible; it lifts exactly the villages X lifts; and its
   capital is no larger — strictly smaller unless X = X'. Hence every lexicographically
   optimal plan is in normal form: each village gets either nothing or exactly k* units in
   one park.
3. The assignment. In normal form x[v,p] = k*[v,p]·y[v,p] and z_v = Σ_p y[v,p], so the MILP
   is, over binaries y[v,p] for the pairs whose cost fits at all (q ≤ min(C_p, B, K)):

       maximise Σ y, then minimise Σ q·y, subject to
       Σ_p y[v,p] ≤ 1;  Σ_v k*[v,p]·y[v,p] ≤ floor(C_p / u_p);
       Σ q·y ≤ B;  Σ_{v in c} q·y ≤ K.

   The capacity row is divided by u_p (exact: every stake in p is a multiple of u_p) and the
   budget and county rows by G = gcd of all units (exact for the same reason, with the right
   sides floored), so the solver sees small integer coefficients.

``lib/tests/test_optimise.py`` checks this reduction by brute force: on small random
instances it enumerates every plan of whole units (over-staking and staking without lifting
included) and finds the same lifted count and capital as the solver.

Solving it
----------
The lexicographic objective is solved in two stages: (1) the most villages lifted, n;
(2) the least capital among plans lifting at least n (the row Σ y ≥ n). Both objectives take
integer values (capital in units of G), so a MILP run stops at an absolute gap below one
(``mip_abs_gap`` 0.99), which proves it optimal once HiGHS stops without a time limit.

Each stage first solves its LP relaxation (``_relaxation``: column generation from each
village's two cheapest pairs, or the whole LP by interior point above 200,000 pairs;
``_capital_relaxation``) and uses its duals λ twice, exactly (the argument holds for any
λ of the right signs, optimal or not, so floating-point duals cannot make it wrong):

- the bound: Lagrangian duality gives U ≥ every plan's count (L ≤ every plan's capital);
  a plan rounded from the LP solution (``_round``) that meets floor(U) (ceil(L)) is proven
  optimal without branching;
- pricing: a plan that uses pair j lifts at most U + min(d_j, 0) villages (has capital at
  least L + max(d_j, 0)), d_j the reduced cost, so the MILP is given only the pairs that can
  be in a plan as good as the best known. It runs first on the pairs needed if the bound were
  met, and again on a larger set if it proves the bound is not; its proof counts only when
  its pairs hold every pair such a plan can use (``_solve`` says how).

Stage 1 starts from the better baseline (below, in normal form), so the plan returned lifts
at least as many villages as either baseline even when the time limit cuts the search short.
HiGHS's MIP presolve is off: it has returned wrong "optimal" answers (HiGHS issues #2900,
#3043, #3094) and did so here on a model it presolved to nothing with a start solution.
Every plan is checked with exact integers before it is returned (``check_plan``); a solver
answer that breaks a row by its tolerance is cut back (``_repair``) and then not "optimal".

Baselines, on the same input and checked the same way
-----------------------------------------------------
- **greedy** (cheapest to lift first, park by park): parks in descending rate (ties: input
  order). For each park in turn, the villages not yet placed, in ascending cost to lift in
  that park q[v,p] (ties: input order), each placed there with k* units if q fits the park's
  remaining capacity, the remaining budget and its county's remaining cap; else skipped.
- **equal** (an equal split of the budget): every candidate village gets the same allowance
  a = floor(B / n) fen (n candidates). In input order each village stakes in the highest-rate
  park (ties: input order) where at least one unit still fits its allowance, the park's
  remaining capacity and its county's remaining cap, as many whole units as all three allow;
  it stakes its whole allowance whether or not that lifts it, and a village for which no park
  has room stakes nothing. The budget holds because n·a ≤ B.

Errors
------
Bad input raises an ``OptimiseError`` (a ``ValueError``) subclass carrying a message ``key``
("optimise.<name>", for translation by the caller) and ``params``; ``str()`` is English.
Villages already at or above their line are not an error: they are left out and counted in
``Result.excluded``. A plan that fails the exact check raises ``PlanInvalid`` (a bug, never
bad input).
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = [
    "MAX_FEN",
    "MAX_RATE_BP",
    "MESSAGES",
    "Baseline",
    "DuplicateName",
    "EmptyInput",
    "Infeasible",
    "InvalidCountyCap",
    "InvalidNumber",
    "InvalidTimeLimit",
    "NegativeNumber",
    "NoCandidates",
    "OptimiseError",
    "Park",
    "PlanInvalid",
    "PlanRow",
    "Result",
    "TooLarge",
    "UnitAboveCapacity",
    "Village",
    "ZeroBudget",
    "ZeroRate",
    "ZeroUnit",
    "check_plan",
    "equal_split",
    "greedy",
    "lift_units",
    "optimise",
]

BP = 10_000  # basis points in one
#: Largest amount (fen) and rate (bp) accepted: 10^13 fen is ¥100 billion, 100,000 bp is
#: 1,000 % a year. Within them every product below fits int64 and every scaled solver
#: coefficient is an exact float64 integer.
MAX_FEN = 10**13
MAX_RATE_BP = 100_000

# --------------------------------------------------------------------------------- errors

#: English text of each message key; ``params`` fill the braces.
MESSAGES = {
    "optimise.empty_villages": "No candidate villages were given.",
    "optimise.empty_parks": "No parks were given.",
    "optimise.zero_budget": "The budget is zero: nothing can be placed.",
    "optimise.negative": "{what} is negative ({value}).",
    "optimise.not_integer": "{what} must be a whole number of fen or basis points, not {value!r}.",
    "optimise.zero_rate": "Park {park} has a return rate of zero: a stake there lifts nobody.",
    "optimise.zero_unit": "Park {park} has a stake unit of zero.",
    "optimise.unit_above_capacity": (
        "Park {park}: its stake unit ({unit_fen} fen) is larger than its capacity "
        "({capacity_fen} fen), so not one unit fits."
    ),
    "optimise.too_large": "{what} is {value}, above the largest accepted ({limit}).",
    "optimise.duplicate": "{what} {name} appears more than once.",
    "optimise.county_cap": "The county cap must be a share above 0 and at most 1, not {value!r}.",
    "optimise.time_limit": "The time limit must be a positive number of seconds, not {value!r}.",
    "optimise.no_candidates": (
        "None of the {excluded} villages is below its line: there is nobody to lift."
    ),
    "optimise.infeasible": (
        "No village can be lifted within the budget, the parks' capacities and the county cap: "
        "the cheapest lift needs {cheapest_fen} fen."
    ),
}


class OptimiseError(ValueError):
    """Bad input for the optimiser: ``key`` names the message, ``params`` fill it."""

    key = "optimise.error"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(MESSAGES[self.key].format(**params))


class EmptyInput(OptimiseError):
    def __init__(self, what: str) -> None:
        self.key = f"optimise.empty_{what}"
        super().__init__()


class ZeroBudget(OptimiseError):
    key = "optimise.zero_budget"


class NegativeNumber(OptimiseError):
    key = "optimise.negative"


class InvalidNumber(OptimiseError):
    key = "optimise.not_integer"


class ZeroRate(OptimiseError):
    key = "optimise.zero_rate"


class ZeroUnit(OptimiseError):
    key = "optimise.zero_unit"


class UnitAboveCapacity(OptimiseError):
    key = "optimise.unit_above_capacity"


class TooLarge(OptimiseError):
    key = "optimise.too_large"


class DuplicateName(OptimiseError):
    key = "optimise.duplicate"


class InvalidCountyCap(OptimiseError):
    key = "optimise.county_cap"


class InvalidTimeLimit(OptimiseError):
    key = "optimise.time_limit"


class NoCandidates(OptimiseError):
    key = "optimise.no_candidates"


class Infeasible(OptimiseError):
    key = "optimise.infeasible"


class PlanInvalid(RuntimeError):
    """A plan failed the exact check: a defect in this module, never a user's input."""


# ---------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Village:
    code: str
    county: str
    income_fen: int
    line_fen: int


@dataclass(frozen=True)
class Park:
    park: str
    rate_bp: int
    capacity_fen: int
    unit_fen: int


@dataclass(frozen=True)
class PlanRow:
    """One village's stake: ``units`` × the park's unit; its floored return; lifted or not."""

    village: str
    park: str
    units: int
    stake_fen: int
    return_fen: int
    lifted: bool


@dataclass(frozen=True)
class Baseline:
    plan: tuple[PlanRow, ...]
    lifted: int
    capital_fen: int


@dataclass(frozen=True)
class Result:
    """The optimiser's plan and figures, with both baselines on the same input.

    ``status`` is "optimal" when both stages were proven optimal, "time_limit" when the time
    limit ran out first (the plan is feasible and the best found), "stopped" when the solver
    stopped unproven for another reason (``solver_status`` says which).
    ``gap`` is the proven relative gap of the lifted count, (bound − lifted) / max(lifted, 1),
    with ``lifted_bound`` the proven upper bound; 0 when proven. ``capital_gap`` is
    (capital − bound) / capital for the capital among plans lifting at least ``lifted``
    villages; 0 when proven, None when no bound was reached (stage 2 had no time left).
    ``seconds`` is the wall time of the whole call; ``solver_seconds`` the part spent in
    ``_solve`` (relaxations, rounding and HiGHS); ``stages`` (seconds, branch-and-bound
    nodes) of each MILP run (none when the relaxations proved both stages); ``pairs`` the
    (village, park) pairs whose lift fits at all.
    """

    plan: tuple[PlanRow, ...]
    lifted: int
    capital_fen: int
    status: str
    gap: float
    seconds: float
    greedy: Baseline
    equal: Baseline
    lifted_bound: int
    capital_gap: float | None
    solver_seconds: float
    solver_status: tuple[str, ...]
    stages: tuple[tuple[float, int], ...]
    candidates: int
    excluded: int
    county_cap_fen: int | None
    budget_fen: int
    pairs: int

    @property
    def proven(self) -> bool:
        return self.status == "optimal"


# ---------------------------------------------------------------------------- validation


def _whole(value: Any, what: str, limit: int = MAX_FEN) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidNumber(what=what, value=value)
    value = int(value)
    if value < 0:
        raise NegativeNumber(what=what, value=value)
    if value > limit:
        raise TooLarge(what=what, value=value, limit=limit)
    return value


def _share(value: Any) -> Fraction:
    """The county cap as an exact fraction; a float is read through its shortest repr."""
    if isinstance(value, bool):
        raise InvalidCountyCap(value=value)
    try:
        if isinstance(value, float):
            share = Fraction(repr(value))
        elif isinstance(value, (numbers.Rational, Decimal, str)):
            share = Fraction(value)
        else:
            raise InvalidCountyCap(value=value)
    except (ValueError, ZeroDivisionError):
        raise InvalidCountyCap(value=value) from None
    if not 0 < share <= 1:
        raise InvalidCountyCap(value=value)
    return share


@dataclass
class _Problem:
    villages: list[Village]  # candidates only, in input order
    parks: list[Park]
    budget: int
    county_cap: int | None  # fen, or None
    excluded: int
    county_of: list[int]  # county index of each candidate
    counties: list[str]


def _prepare(
    villages: Iterable[Village], parks: Iterable[Park], budget_fen: Any, county_cap: Any
) -> _Problem:
    villages, parks = list(villages), list(parks)
    if not villages:
        raise EmptyInput("villages")
    if not parks:
        raise EmptyInput("parks")
    budget = _whole(budget_fen, "The budget")
    if budget == 0:
        raise ZeroBudget()
    names: set[str] = set()
    clean_parks = []
    for park in parks:
        if park.park in names:
            raise DuplicateName(what="Park", name=park.park)
        names.add(park.park)
        rate = _whole(park.rate_bp, f"Park {park.park}: the rate", MAX_RATE_BP)
        capacity = _whole(park.capacity_fen, f"Park {park.park}: the capacity")
        unit = _whole(park.unit_fen, f"Park {park.park}: the unit")
        if rate == 0:
            raise ZeroRate(park=park.park)
        if unit == 0:
            raise ZeroUnit(park=park.park)
        if unit > capacity:
            raise UnitAboveCapacity(park=park.park, unit_fen=unit, capacity_fen=capacity)
        clean_parks.append(Park(park.park, rate, capacity, unit))
    codes: set[str] = set()
    candidates, excluded = [], 0
    for village in villages:
        if village.code in codes:
            raise DuplicateName(what="Village", name=village.code)
        codes.add(village.code)
        income = _whole(village.income_fen, f"Village {village.code}: the income")
        line = _whole(village.line_fen, f"Village {village.code}: the line")
        if income >= line:
            excluded += 1
            continue
        candidates.append(Village(village.code, village.county, income, line))
    if not candidates:
        raise NoCandidates(excluded=excluded)
    cap = None
    if county_cap is not None:
        cap = math.floor(_share(county_cap) * budget)
    counties: dict[str, int] = {}
    county_of = [counties.setdefault(v.county, len(counties)) for v in candidates]
    return _Problem(candidates, clean_parks, budget, cap, excluded, county_of, list(counties))


# ------------------------------------------------------------------------------ the maths


def lift_units(gap_fen: int, unit_fen: int, rate_bp: int) -> int:
    """The fewest whole units k with floor(k·unit·rate / 10000) ≥ gap (exact integers)."""
    return -(-(gap_fen * BP) // (unit_fen * rate_bp))


def _return(stake_fen: int, rate_bp: int) -> int:
    return stake_fen * rate_bp // BP


@dataclass
class _Pairs:
    """Every (village, park) pair whose lift fits at all, as parallel arrays."""

    village: np.ndarray  # candidate index
    park: np.ndarray  # park index
    units: np.ndarray  # k*
    cost: np.ndarray  # k*·unit, fen
    index: np.ndarray  # (villages × parks) → pair number, −1 where the pair does not fit


def _pairs(problem: _Problem) -> _Pairs:
    gap = np.array([v.line_fen - v.income_fen for v in problem.villages], dtype=np.int64)
    unit = np.array([p.unit_fen for p in problem.parks], dtype=np.int64)
    rate = np.array([p.rate_bp for p in problem.parks], dtype=np.int64)
    # ≤ 10^17 and ≤ 10^18 (MAX_FEN, MAX_RATE_BP): int64 is exact.
    k = -(-(gap[:, None] * BP) // (unit * rate)[None, :])
    cost = k * unit[None, :]
    room = np.minimum(np.array([p.capacity_fen for p in problem.parks]), problem.budget)
    if problem.county_cap is not None:
        room = np.minimum(room, problem.county_cap)
    fits = cost <= room[None, :]
    village, park = np.nonzero(fits)
    index = np.full(fits.shape, -1, dtype=np.int64)
    index[village, park] = np.arange(village.size)
    return _Pairs(village, park, k[village, park], cost[village, park], index)


def _row(problem: _Problem, v: int, p: int, units: int) -> PlanRow:
    village, park = problem.villages[v], problem.parks[p]
    stake = units * park.unit_fen
    gain = _return(stake, park.rate_bp)
    return PlanRow(
        village.code, park.park, units, stake, gain, village.income_fen + gain >= village.line_fen
    )


def check_plan(
    plan: Sequence[PlanRow],
    villages: Sequence[Village],
    parks: Sequence[Park],
    budget_fen: int,
    county_cap_fen: int | None = None,
) -> tuple[int, int]:
    """Check a plan exactly and return (villages lifted, capital in fen).

    Raises ``PlanInvalid`` if a row names an unknown village or park, a village appears
    twice, a row's stake, return or lifted flag is not what the integers say, units are not
    positive, or a park's capacity, the budget or a county's cap is exceeded.
    """
    by_code = {v.code: v for v in villages}
    by_park = {p.park: p for p in parks}
    seen: set[str] = set()
    per_park: dict[str, int] = {}
    per_county: dict[str, int] = {}
    lifted = capital = 0
    for row in plan:
        village, park = by_code.get(row.village), by_park.get(row.park)
        if village is None or park is None:
            raise PlanInvalid(f"unknown village or park in {row}")
        if row.village in seen:
            raise PlanInvalid(f"village {row.village} takes more than one park")
        seen.add(row.village)
        if row.units <= 0 or row.stake_fen != row.units * park.unit_fen:
            raise PlanInvalid(f"stake is not a positive number of whole units: {row}")
        if row.return_fen != _return(row.stake_fen, park.rate_bp):
            raise PlanInvalid(f"return is not the floored rate: {row}")
        if row.lifted != (village.income_fen + row.return_fen >= village.line_fen):
            raise PlanInvalid(f"lifted flag is wrong: {row}")
        lifted += row.lifted
        capital += row.stake_fen
        per_park[park.park] = per_park.get(park.park, 0) + row.stake_fen
        per_county[village.county] = per_county.get(village.county, 0) + row.stake_fen
    for name, staked in per_park.items():
        if staked > by_park[name].capacity_fen:
            raise PlanInvalid(f"park {name}: {staked} fen staked, capacity exceeded")
    if capital > budget_fen:
        raise PlanInvalid(f"{capital} fen staked, budget {budget_fen} exceeded")
    if county_cap_fen is not None:
        for county, staked in per_county.items():
            if staked > county_cap_fen:
                raise PlanInvalid(f"county {county}: {staked} fen staked, cap exceeded")
    return lifted, capital


def _baseline(problem: _Problem, rows: list[PlanRow]) -> Baseline:
    lifted, capital = check_plan(
        rows, problem.villages, problem.parks, problem.budget, problem.county_cap
    )
    return Baseline(tuple(rows), lifted, capital)


def _park_order(problem: _Problem) -> list[int]:
    return sorted(range(len(problem.parks)), key=lambda p: (-problem.parks[p].rate_bp, p))


def _greedy(problem: _Problem, pairs: _Pairs) -> list[tuple[int, int]]:
    """Greedy baseline as (village, park) index pairs; see the module docstring."""
    remaining_budget = problem.budget
    county_room = (
        [problem.county_cap] * len(problem.counties) if problem.county_cap is not None else None
    )
    placed = np.zeros(len(problem.villages), dtype=bool)
    chosen: list[tuple[int, int]] = []
    for p in _park_order(problem):
        room = problem.parks[p].capacity_fen
        villages = np.flatnonzero(pairs.index[:, p] >= 0)
        villages = villages[~placed[villages]]
        costs = pairs.cost[pairs.index[villages, p]]
        order = np.lexsort((villages, costs))  # by cost, then input order
        for v, cost in zip(villages[order].tolist(), costs[order].tolist(), strict=True):
            if cost > room or cost > remaining_budget:
                break  # sorted by cost: nothing later fits this park either
            c = problem.county_of[v]
            if county_room is not None and cost > county_room[c]:
                continue
            placed[v] = True
            chosen.append((v, p))
            room -= cost
            remaining_budget -= cost
            if county_room is not None:
                county_room[c] -= cost
    return chosen


def _greedy_baseline(problem: _Problem, pairs: _Pairs) -> Baseline:
    rows = [
        _row(problem, v, p, int(pairs.units[pairs.index[v, p]])) for v, p in _greedy(problem, pairs)
    ]
    return _baseline(problem, _in_input_order(problem, rows))


def _in_input_order(problem: _Problem, rows: list[PlanRow]) -> list[PlanRow]:
    position = {v.code: i for i, v in enumerate(problem.villages)}
    return sorted(rows, key=lambda row: position[row.village])


def _equal_baseline(problem: _Problem) -> Baseline:
    """Equal-split baseline; see the module docstring."""
    allowance = problem.budget // len(problem.villages)
    rooms = [p.capacity_fen for p in problem.parks]
    county_room = (
        [problem.county_cap] * len(problem.counties) if problem.county_cap is not None else None
    )
    order = _park_order(problem)
    rows = []
    for v in range(len(problem.villages)):
        c = problem.county_of[v]
        limit = allowance if county_room is None else min(allowance, county_room[c])
        for p in order:
            unit = problem.parks[p].unit_fen
            units = min(limit, rooms[p]) // unit
            if units >= 1:
                rows.append(_row(problem, v, p, units))
                rooms[p] -= units * unit
                if county_room is not None:
                    county_room[c] -= units * unit
                break
    return _baseline(problem, rows)


def greedy(
    villages: Iterable[Village], parks: Iterable[Park], budget_fen: int, *, county_cap: Any = None
) -> Baseline:
    """The greedy baseline alone (cheapest to lift first, park by park; module docstring)."""
    problem = _prepare(villages, parks, budget_fen, county_cap)
    return _greedy_baseline(problem, _pairs(problem))


def equal_split(
    villages: Iterable[Village], parks: Iterable[Park], budget_fen: int, *, county_cap: Any = None
) -> Baseline:
    """The equal-split baseline alone (module docstring)."""
    return _equal_baseline(_prepare(villages, parks, budget_fen, county_cap))


# -------------------------------------------------------------------------------- the MILP


def _quiet_highs():
    """A HiGHS instance that prints nothing.

    highspy's ``Highs`` wrapper prints a banner on stdout as it is built, before any option
    can be set (which would corrupt JSON output); the bound class underneath does not.
    """
    import highspy

    try:
        from highspy.highs import _Highs as Raw
    except ImportError:  # a highspy that no longer has the wrapper split
        Raw = highspy.Highs
    solver = Raw()
    solver.setOptionValue("output_flag", False)
    return solver


@dataclass
class _Model:
    """The assignment MILP's coefficients for every pair: row ``index[j, i]`` has
    ``value[j, i]``. Row blocks: villages [0, nv), parks, the budget, then the counties."""

    index: np.ndarray  # (pairs, 3 or 4) int32
    value: np.ndarray  # (pairs, 3 or 4) float64
    rows_upper: np.ndarray
    scaled: np.ndarray  # cost / G, exact integers in float64
    g: int


def _model(problem: _Problem, pairs: _Pairs) -> _Model:
    m = pairs.village.size
    nv, npk, nc = len(problem.villages), len(problem.parks), len(problem.counties)
    g = 0
    for park in problem.parks:
        g = math.gcd(g, park.unit_fen)
    scaled = np.asarray(pairs.cost // g, dtype=np.float64)
    upper = [1.0] * nv + [float(p.capacity_fen // p.unit_fen) for p in problem.parks]
    upper.append(float(problem.budget // g))
    per_col = 3
    if problem.county_cap is not None:
        upper += [float(problem.county_cap // g)] * nc
        per_col = 4
    index = np.empty((m, per_col), dtype=np.int32)
    value = np.empty((m, per_col), dtype=np.float64)
    index[:, 0] = pairs.village
    value[:, 0] = 1.0
    index[:, 1] = nv + pairs.park
    value[:, 1] = pairs.units.astype(np.float64)
    index[:, 2] = nv + npk
    value[:, 2] = scaled
    if per_col == 4:
        county = np.asarray(problem.county_of, dtype=np.int32)[pairs.village]
        index[:, 3] = nv + npk + 1 + county
        value[:, 3] = scaled
    return _Model(index, value, np.array(upper), scaled, g)


class _Clock:
    def __init__(self, limit: float | None) -> None:
        self.started = time.perf_counter()
        self.limit = limit

    def left(self) -> float | None:
        if self.limit is None:
            return None
        return max(self.limit - (time.perf_counter() - self.started), 0.0)

    def out(self) -> bool:
        return self.limit is not None and self.left() <= 0


def _solver(highspy, model: _Model, cols: np.ndarray, integer: bool):
    """A HiGHS model over the pairs ``cols``, maximising their count."""
    solver = _quiet_highs()
    n, per_col = cols.size, model.index.shape[1]
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = model.rows_upper.size
    lp.col_cost_ = np.ones(n)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(model.rows_upper.size, -highspy.kHighsInf)
    lp.row_upper_ = model.rows_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, n * per_col + 1, per_col, dtype=np.int32)
    lp.a_matrix_.index_ = model.index[cols].ravel()
    lp.a_matrix_.value_ = model.value[cols].ravel()
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = model.rows_upper.size
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    lp.sense_ = highspy.ObjSense.kMaximize
    solver.passModel(lp)
    solver.setOptionValue("threads", 1)
    if integer:
        # HiGHS's MIP presolve has returned wrong "optimal" answers (ERGO-Code/HiGHS #2900,
        # #3043, #3094; here: a start solution on a model presolved to nothing came back as
        # optimal with objective 0). The pricing in `_solve` does the reduction that matters.
        solver.setOptionValue("presolve", "off")
        solver.setOptionValue("mip_rel_gap", 0.0)
        solver.setOptionValue("mip_abs_gap", 0.99)  # integer objectives: below 1 is proven
    return solver


def _relaxation(
    highspy, model: _Model, initial: np.ndarray, clock: _Clock
) -> tuple[float, np.ndarray | None, np.ndarray | None]:
    """Stage 1's LP relaxation by column generation: (bound, reduced costs, LP solution).

    Starts from the pairs in ``initial``, solves, prices every pair with the row duals and adds
    those of positive reduced cost until none is left (or time runs out). Whatever the duals
    λ ≥ 0 are, every plan y satisfies Σy ≤ λ·b + Σ_j d_j·y_j with d_j = 1 − a_j·λ, so the
    bound returned, λ·b + Σ max(d_j, 0), and the pruning in ``_solve`` hold exactly; with
    converged duals it is the LP optimum. The LP solution (over all pairs, 0 outside the
    columns priced in) seeds the rounding heuristic.
    """
    in_model = initial.copy()
    if in_model.size > _PRICE_ALL:
        # Column generation converges slowly on large instances (the capacity rows move the
        # duals a little per round); one interior-point solve of the whole LP is faster.
        in_model[:] = True
    cols = np.flatnonzero(in_model)
    solver = _solver(highspy, model, cols, integer=False)
    if in_model.size > _PRICE_ALL:
        solver.setOptionValue("solver", "ipm")
    reduced, duals, values = None, None, None
    while not clock.out():
        if clock.left() is not None:
            solver.setOptionValue("time_limit", clock.left())
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        solution = solver.getSolution()
        duals = np.maximum(np.asarray(solution.row_dual), 0.0)
        reduced = 1.0 - (duals[model.index] * model.value).sum(axis=1)
        values = np.zeros(in_model.size)
        values[cols] = np.asarray(solution.col_value)
        new = np.flatnonzero(~in_model & (reduced > 1e-9))
        if new.size == 0:
            break
        per_col = model.index.shape[1]
        solver.addCols(
            new.size,
            np.ones(new.size),
            np.zeros(new.size),
            np.ones(new.size),
            new.size * per_col,
            np.arange(0, new.size * per_col, per_col, dtype=np.int32),
            model.index[new].ravel(),
            model.value[new].ravel(),
        )
        in_model[new] = True
        cols = np.concatenate([cols, new])
    if reduced is None:
        return math.inf, None, None
    bound = float(duals @ model.rows_upper + np.maximum(reduced, 0.0).sum())
    return bound, reduced, values


def _capital_relaxation(
    highspy, model: _Model, cols: np.ndarray, count: int, clock: _Clock
) -> tuple[float, np.ndarray | None, np.ndarray | None]:
    """Stage 2's LP relaxation over ``cols``: (bound, reduced costs, LP solution).

    minimise Σ q'·y subject to the rows and Σ y ≥ count (q' = cost / G). With duals λ ≤ 0 on
    the ≤ rows and μ ≥ 0 on the count row, every such plan has capital ≥ λ·b + μ·count +
    Σ_j d_j·y_j with d_j = q'_j − a_j·λ − μ, hence ≥ L + max(d_j, 0) for each pair j it uses,
    L = λ·b + μ·count + Σ min(d_j, 0) being the bound returned.
    """
    solver = _solver(highspy, model, cols, integer=False)
    n = cols.size
    solver.addRow(float(count), highspy.kHighsInf, n, np.arange(n, dtype=np.int32), np.ones(n))
    solver.changeObjectiveSense(highspy.ObjSense.kMinimize)
    solver.changeColsCost(n, np.arange(n, dtype=np.int32), model.scaled[cols])
    if clock.left() is not None:
        solver.setOptionValue("time_limit", clock.left())
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return -math.inf, None, None
    solution = solver.getSolution()
    row_dual = np.asarray(solution.row_dual)
    duals, mu = np.minimum(row_dual[:-1], 0.0), max(float(row_dual[-1]), 0.0)
    reduced = np.full(model.scaled.size, np.inf)
    reduced[cols] = (
        model.scaled[cols] - (duals[model.index[cols]] * model.value[cols]).sum(axis=1) - mu
    )
    bound = float(duals @ model.rows_upper + mu * count + np.minimum(reduced[cols], 0.0).sum())
    values = np.zeros(model.scaled.size)
    values[cols] = np.asarray(solution.col_value)
    return bound, reduced, values


def _round(
    problem: _Problem, pairs: _Pairs, values: np.ndarray, limit: int | None = None
) -> np.ndarray:
    """A plan from an LP solution: its pairs at 1, then the rest greedily, cheapest first.

    Pairs the LP uses fractionally come first, then the others, each in ascending cost,
    taken when the village is free and the cost fits its park, the budget and its county
    (exact integers); stops at ``limit`` villages when given.
    """
    chosen, _ = _repair(problem, pairs, values > 1 - 1e-6)
    if limit is not None and chosen.sum() > limit:
        return chosen
    park_room = [p.capacity_fen for p in problem.parks]
    budget = problem.budget
    county_room = [problem.county_cap or 0] * len(problem.counties)
    taken = np.zeros(len(problem.villages), dtype=bool)
    for j in np.flatnonzero(chosen).tolist():
        v, p, cost = int(pairs.village[j]), int(pairs.park[j]), int(pairs.cost[j])
        taken[v] = True
        park_room[p] -= cost
        budget -= cost
        if problem.county_cap is not None:
            county_room[problem.county_of[v]] -= cost
    count = int(chosen.sum())
    free = np.flatnonzero(~taken[pairs.village])
    order = free[np.lexsort((pairs.cost[free], values[free] <= 1e-9))]
    for j, v, p, cost in zip(
        order.tolist(),
        pairs.village[order].tolist(),
        pairs.park[order].tolist(),
        pairs.cost[order].tolist(),
        strict=True,
    ):
        if limit is not None and count >= limit:
            break
        c = problem.county_of[v]
        if (
            taken[v]
            or cost > park_room[p]
            or cost > budget
            or (problem.county_cap is not None and cost > county_room[c])
        ):
            continue
        chosen[j] = taken[v] = True
        park_room[p] -= cost
        budget -= cost
        if problem.county_cap is not None:
            county_room[c] -= cost
        count += 1
    return chosen


def _cheapest(pairs: _Pairs, per_village: int) -> np.ndarray:
    """Mask of each village's `per_village` cheapest pairs (pairs are grouped by village)."""
    order = np.lexsort((pairs.cost, pairs.village))
    villages = pairs.village[order]
    first = np.searchsorted(villages, villages, side="left")
    mask = np.zeros(pairs.village.size, dtype=bool)
    mask[order[np.arange(order.size) - first < per_village]] = True
    return mask


#: Above this many pairs stage 1's relaxation is solved whole (interior point) rather than
#: by column generation: measured on the benchmark, 20,000 × 30 pairs take ~30 s by interior
#: point and over 5 minutes by column generation; 2,000 × 30 take ~1 s by column generation.
_PRICE_ALL = 200_000

#: Slack for the floating-point comparisons of the pruning (every exact quantity there is an
#: integer count; the float error of λ·a is ~1e-12).
_TOL = 1e-6


def _solve(
    problem: _Problem,
    pairs: _Pairs,
    start: np.ndarray,
    time_limit: float | None,
    price: bool = True,
) -> tuple[np.ndarray, dict]:
    """Both stages; returns the chosen pairs (bool array) and the solver's figures.

    With ``price`` (the default) each stage first solves its LP relaxation and uses it twice:
    a plan rounded from the LP solution may already meet the LP's bound (then the stage is
    proven without branching), and otherwise the MILP is given only the pairs that can belong
    to a plan at least as good as the best known.

    - Stage 1 (count): with the bound U and reduced costs d_j of ``_relaxation``, a plan
      using pair j lifts at most U + min(d_j, 0) villages; pairs where that is below the
      count n of a known plan are left out. The MILP first runs on the pairs needed if the
      optimum were floor(U) (plus the known plan); if it proves less, it runs again on the
      pairs needed for the count it found, from its plan. The last run then holds every pair
      of every plan lifting at least the count returned, so its proof holds for the whole
      problem, and so does stage 2 on those pairs.
    - Stage 2 (capital, among plans lifting at least n): with the bound L and reduced costs
      of ``_capital_relaxation``, a plan using pair j has capital ≥ L + max(d_j, 0); pairs
      where that exceeds the capital C of a known plan are left out.

    ``price=False`` gives the MILP every pair (the tests compare both).
    """
    import highspy

    clock = _Clock(time_limit)
    model = _model(problem, pairs)
    statuses: list[str] = []
    stages: list[tuple[float, int]] = []  # (seconds, branch-and-bound nodes) per MILP run
    lifted_bound = _count_bound(problem, pairs)
    figures: dict[str, Any] = {}

    def better(a: np.ndarray, b: np.ndarray) -> bool:
        """Plan a lifts more than b, or as many with less capital."""
        return (-int(a.sum()), model.scaled[a].sum()) < (-int(b.sum()), model.scaled[b].sum())

    def run(solver, cols: np.ndarray, seed: np.ndarray) -> tuple[bool, np.ndarray, float]:
        """One MILP run over ``cols`` from the plan ``seed`` (global masks in and out)."""
        if clock.left() is not None:
            solver.setOptionValue("time_limit", clock.left())
        solution = highspy.HighsSolution()
        solution.col_value = seed[cols].astype(np.float64)
        solution.value_valid = True
        solver.setSolution(solution)
        began = time.perf_counter()
        solver.run()
        status = solver.getModelStatus()
        statuses.append(solver.modelStatusToString(status))
        info = solver.getInfo()
        stages.append((round(time.perf_counter() - began, 3), int(info.mip_node_count)))
        chosen = seed.copy()
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            chosen[:] = False
            chosen[cols[np.asarray(solver.getSolution().col_value) > 0.5]] = True
        return status == highspy.HighsModelStatus.kOptimal, chosen, info.mip_dual_bound

    # Stage 1: the most villages lifted.
    best = start.copy()
    slack = None
    if price:
        began = time.perf_counter()
        relaxed, reduced, values = _relaxation(highspy, model, _cheapest(pairs, 2) | start, clock)
        if reduced is not None:
            lifted_bound = min(lifted_bound, math.floor(relaxed + _TOL))
            slack = relaxed + np.minimum(reduced, 0.0)
            rounded = _round(problem, pairs, values)
            if better(rounded, best):
                best = rounded
        figures["relaxation_s"] = round(time.perf_counter() - began, 3)

    def needed(count: int) -> np.ndarray:
        """Pairs that can be in a plan lifting at least ``count`` villages."""
        if slack is None:
            return np.ones(pairs.village.size, dtype=bool)
        return slack >= count - _TOL

    count = int(best.sum())
    proven_count = covered = count >= lifted_bound  # the bound is met: nothing to branch on
    solver = None
    if not proven_count and not clock.out():
        cols = np.flatnonzero(needed(lifted_bound) | best)
        solver = _solver(highspy, model, cols, integer=True)
        proven, best, bound = run(solver, cols, best)
        count = int(best.sum())
        in_run = np.zeros(pairs.village.size, dtype=bool)
        in_run[cols] = True
        covered = not (needed(count) & ~in_run).any()
        if not covered and not clock.out():
            cols = np.flatnonzero(needed(count) | best)
            solver = _solver(highspy, model, cols, integer=True)
            proven, best, bound = run(solver, cols, best)
            count = int(best.sum())
            covered = True
        if covered and math.isfinite(bound):  # inf when stopped before the root relaxation
            lifted_bound = min(lifted_bound, max(math.floor(bound + _TOL), count))
        proven_count = proven and covered
    lifted_bound = count if proven_count else max(count, lifted_bound)
    figures.update(lifted_bound=lifted_bound, proven_count=proven_count)

    # Stage 2: the least capital among plans lifting at least `count`, over pairs that can be
    # in such a plan (all of them once stage 1 is covered).
    proven_capital, capital_bound = count == 0 and proven_count, None
    if count > 0 and covered and not clock.out():
        keep = needed(count) | best
        floor_capital, low, reduced2 = -math.inf, -math.inf, None
        if price:
            began = time.perf_counter()
            cols = np.flatnonzero(keep)
            low, reduced2, values2 = _capital_relaxation(highspy, model, cols, count, clock)
            if reduced2 is not None:
                rounded = _round(problem, pairs, values2, count)
                if rounded.sum() >= count and better(rounded, best):
                    best = rounded
                floor_capital = math.ceil(low - _TOL)
                proven_capital = floor_capital >= model.scaled[best].sum()
            figures["capital_relaxation_s"] = round(time.perf_counter() - began, 3)

        def affordable(capital: float) -> np.ndarray:
            """Pairs that can be in a plan of at most ``capital`` (scaled) lifting ``count``."""
            if reduced2 is None:
                return keep
            return keep & (low + np.maximum(reduced2, 0.0) <= capital + _TOL)

        # As in stage 1: first the pairs needed if the bound were met, then, if the run
        # proves a higher capital, the pairs needed for that. A run is exact on its pairs,
        # so it proves the optimum once they hold every pair of every plan at most as costly
        # as the one it returns; the second run always does (its capital is no higher than
        # the first's), so there are at most two.
        target = floor_capital if math.isfinite(floor_capital) else math.inf
        for _ in range(3):  # two suffice (above); a third only if floats surprise
            if proven_capital or clock.out():
                break
            cols = np.flatnonzero(affordable(target) | best)
            solver = _solver(highspy, model, cols, integer=True)
            n = cols.size
            solver.addRow(
                float(count), highspy.kHighsInf, n, np.arange(n, dtype=np.int32), np.ones(n)
            )
            solver.changeObjectiveSense(highspy.ObjSense.kMinimize)
            solver.changeColsCost(n, np.arange(n, dtype=np.int32), model.scaled[cols])
            proven, chosen, bound2 = run(solver, cols, best)
            if int(chosen.sum()) >= count and not better(best, chosen):
                best = chosen
            known = model.scaled[best].sum()
            in_run = np.zeros(keep.size, dtype=bool)
            in_run[cols] = True
            covered2 = not (affordable(known) & ~in_run).any()
            if proven and (covered2 or known <= floor_capital):
                proven_capital = True
            if covered2 and math.isfinite(bound2):
                floor_capital = max(floor_capital, math.ceil(bound2 - _TOL))
            if not proven:
                break  # stopped by the time limit
            target = known
        if not proven_capital and math.isfinite(floor_capital):
            capital_bound = floor_capital * model.g
        figures["columns"] = int(keep.sum())
    elif count > 0:
        figures["no_stage_2"] = True
    figures.update(proven_capital=proven_capital, capital_bound=capital_bound)
    figures["statuses"] = tuple(statuses)
    figures["stages"] = tuple(stages)
    figures["out_of_time"] = clock.out()
    figures["seconds"] = time.perf_counter() - clock.started
    return best, figures


def _count_bound(problem: _Problem, pairs: _Pairs) -> int:
    """An upper bound on the count lifted that needs no solver.

    Each lifted village costs at least its cheapest lift, so no plan lifts more villages than
    the n cheapest of those fit in the budget, nor, per county, in the county cap.
    """
    cheapest = np.full(len(problem.villages), np.iinfo(np.int64).max)
    np.minimum.at(cheapest, pairs.village, pairs.cost)
    liftable = cheapest < np.iinfo(np.int64).max

    def fitting(costs: np.ndarray, room: int) -> int:
        return int(np.searchsorted(np.cumsum(np.sort(costs)), room, side="right"))

    bound = fitting(cheapest[liftable], problem.budget)
    if problem.county_cap is not None:
        county = np.asarray(problem.county_of)
        per_county = sum(
            fitting(cheapest[liftable & (county == c)], problem.county_cap)
            for c in range(len(problem.counties))
        )
        bound = min(bound, per_county)
    return bound


def _repair(problem: _Problem, pairs: _Pairs, chosen: np.ndarray) -> tuple[np.ndarray, bool]:
    """Drop the costliest pairs from any row the rounded solution exceeds (exact integers).

    HiGHS accepts rows within a small tolerance; the integers decide. Returns the plan and
    whether anything had to be dropped (then the result is no longer proven optimal).
    """
    chosen = chosen.copy()
    repaired = False

    def drop_from(mask: np.ndarray, excess: int) -> None:
        nonlocal repaired
        members = np.flatnonzero(chosen & mask)
        for j in members[np.argsort(-pairs.cost[members].astype(np.float64), kind="stable")]:
            if excess <= 0:
                break
            chosen[j] = False
            excess -= int(pairs.cost[j])
            repaired = True

    # At most one park per village: keep each village's cheapest.
    taken = np.bincount(pairs.village[chosen], minlength=len(problem.villages))
    for v in np.flatnonzero(taken > 1):
        members = np.flatnonzero(chosen & (pairs.village == v))
        if members.size > 1:
            keep = members[np.argmin(pairs.cost[members].astype(np.float64))]
            chosen[members] = False
            chosen[keep] = True
            repaired = True
    for p, park in enumerate(problem.parks):
        mask = pairs.park == p
        drop_from(mask, int(pairs.cost[chosen & mask].sum()) - park.capacity_fen)
    if problem.county_cap is not None:
        county = np.asarray(problem.county_of)[pairs.village]
        for c in range(len(problem.counties)):
            mask = county == c
            drop_from(mask, int(pairs.cost[chosen & mask].sum()) - problem.county_cap)
    drop_from(np.ones_like(chosen), int(pairs.cost[chosen].sum()) - problem.budget)
    return chosen, repaired


def _as_pairs(pairs: _Pairs, plan: Baseline, problem: _Problem) -> np.ndarray:
    """A baseline's lifted villages in normal form (k* units), as a pair mask."""
    position = {v.code: i for i, v in enumerate(problem.villages)}
    park_position = {p.park: i for i, p in enumerate(problem.parks)}
    mask = np.zeros(pairs.village.size, dtype=bool)
    for row in plan.plan:
        if row.lifted:
            j = pairs.index[position[row.village], park_position[row.park]]
            if j >= 0:  # lifted with at least k* units, which therefore fit
                mask[j] = True
    return mask


def optimise(
    villages: Iterable[Village],
    parks: Iterable[Park],
    budget_fen: int,
    *,
    county_cap: Any = None,
    time_limit: float | None = None,
) -> Result:
    """The plan that lifts the most villages with the least capital; see the module docstring.

    ``county_cap``: the largest share of the budget any one county may take (a Fraction,
    Decimal, str such as "0.08", int or float), or None for no cap. ``time_limit``: seconds
    for the solving (both stages: relaxations, rounding and HiGHS runs, each HiGHS run given
    what is left as its ``time_limit``), or None to run to proven optimum; preparing the
    input and the baselines come on top (about 1 s at 20,000 villages × 30 parks).
    """
    started = time.perf_counter()
    if time_limit is not None and (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, numbers.Real)
        or not time_limit > 0
    ):
        raise InvalidTimeLimit(value=time_limit)
    problem = _prepare(villages, parks, budget_fen, county_cap)
    pairs = _pairs(problem)
    if pairs.village.size == 0:
        gaps = [v.line_fen - v.income_fen for v in problem.villages]
        cheapest = min(
            lift_units(gap, p.unit_fen, p.rate_bp) * p.unit_fen
            for gap in gaps
            for p in problem.parks
        )
        raise Infeasible(cheapest_fen=cheapest)

    base_greedy = _greedy_baseline(problem, pairs)
    base_equal = _equal_baseline(problem)
    starts = [_as_pairs(pairs, base_greedy, problem), _as_pairs(pairs, base_equal, problem)]
    start = min(starts, key=lambda s: (-int(s.sum()), int(pairs.cost[s].sum())))

    chosen, figures = _solve(problem, pairs, start, time_limit)
    chosen, repaired = _repair(problem, pairs, chosen)
    # Never worse than the start (a repaired or stopped search could be).
    key = lambda s: (-int(s.sum()), int(pairs.cost[s].sum()))  # noqa: E731
    if key(start) < key(chosen):
        chosen = start
        repaired = True

    rows = [
        _row(problem, int(pairs.village[j]), int(pairs.park[j]), int(pairs.units[j]))
        for j in np.flatnonzero(chosen)
    ]
    rows = _in_input_order(problem, rows)
    lifted, capital = check_plan(
        rows, problem.villages, problem.parks, problem.budget, problem.county_cap
    )
    if lifted != len(rows):
        raise PlanInvalid("a row of the optimised plan does not lift its village")

    proven = figures["proven_count"] and figures["proven_capital"] and not repaired
    statuses = figures["statuses"]
    if proven:
        status = "optimal"
    elif "Time limit reached" in statuses or figures["out_of_time"]:
        status = "time_limit"
    else:
        status = "stopped"
    lifted_bound = max(figures["lifted_bound"], lifted)
    if figures["proven_count"] and not repaired:
        lifted_bound = lifted
    gap = (lifted_bound - lifted) / max(lifted, 1)
    if figures.get("proven_capital") and not repaired:
        capital_gap: float | None = 0.0
    elif figures.get("capital_bound") is not None and capital > 0:
        capital_gap = max(capital - figures["capital_bound"], 0) / capital
    else:
        capital_gap = None
    return Result(
        plan=tuple(rows),
        lifted=lifted,
        capital_fen=capital,
        status=status,
        gap=gap,
        seconds=time.perf_counter() - started,
        greedy=base_greedy,
        equal=base_equal,
        lifted_bound=lifted_bound,
        capital_gap=capital_gap,
        solver_seconds=figures["seconds"],
        solver_status=statuses,
        stages=figures["stages"],
        candidates=len(problem.villages),
        excluded=problem.excluded,
        county_cap_fen=problem.county_cap,
        budget_fen=problem.budget,
        pairs=int(pairs.village.size),
    )
