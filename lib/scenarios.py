"""What-if scenarios over one year's village figures: recomputed weak villages, incomes and
gap indicators, without touching the data they start from. Pure numpy (no Django).

The base (`Base`): the villages of a region in year Y, sorted by code, with their county and
their three incomes from the statistics (total, operating, recurring; fen; operating and
recurring may be missing, NaN), the weak-village lines in force (`Threshold`), and their
holdings in parks (`Holdings`: village, park, capital contributed in fen, returns received
in Y in fen), with each park's actual rate (`actual_rate`).

The changes (`parse_changes` reads them from JSON-able dicts, their stored form):

    {"kind": "park_rate", "venture": 12, "rate_bp": 800}          a park's annual return rate
    {"kind": "new_park", "park": "新园区", "rate_bp": 900}         a park that does not exist
    {"kind": "stake", "village": "330482107208",
     "venture": 12 | "park": "新园区", "stake_fen": 50000000}      a village's capital in a park
    {"kind": "weak_line", "region": "330482", "line_fen": 1e8}    a weak line (total income)
    {"kind": "budget", "venture": 12 | "park": "新园区",
     "budget_fen": 300000000}                                     a budget placed in a park

An existing park is named by its venture id ("venture"), a new one by its name ("park").

What a scenario recomputes (`recompute`):

- A holding's return is floor(capital × rate_bp / 10000) fen (the optimiser's rule) when the
  scenario changes its capital or its park's rate, or when it is new; otherwise it is the
  return actually received (also under a changed rate for a holder with no recorded
  capital, e.g. one paid by population). A stake in an existing park whose rate is not
  changed earns that park's actual rate: floor(Σ returns × 10000 / Σ capital) bp over its
  village holders.
- A village's incomes = its statistics + (its returns in the scenario − its actual returns),
  never below zero. The difference is added to each of the three incomes where reported:
  returns from a park are operating and recurring income (投资收益) as well as total income.
  So a scenario without changes reproduces the actual figures exactly.
- Weak: the rule of registry's `with_weak_status`, on arrays: the most specific region that
  contains the village and has a line in force decides; a village is weak under any of that
  region's thresholds; a threshold with the rule "all" needs every one of its tests; a
  missing figure never makes a village weak. A changed weak line for a region replaces, for
  the villages under it, every line in force by one line on total income (where lines for
  two nested regions are changed, the more specific one decides).
- Budgets come last, in their order: each is split equally over the villages weak at that
  point (by code, `lib.money.allocate`: the parts sum to the budget exactly) and added to
  their stake in its park. A budget with nobody weak left places nothing.

Figures (`figures`): villages, weak count and share, income distribution (sum, mean,
median, min, max), returns, capital placed, Gini, Theil T with its between-county share and
the share ratios, all from `lib.inequality`; `compare` adds, for each scenario, the villages
lifted and those newly weak against the actual.

Bad input raises `ScenarioError` (a ValueError) with a message `key` ("scenario.<name>",
for translation by the caller) and `params`; ``str()`` is English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from lib import inequality
from lib.money import allocate

__all__ = [
    "BP",
    "CHANGE_KINDS",
    "MAX_FEN",
    "MAX_RATE_BP",
    "MESSAGES",
    "Base",
    "Budget",
    "Holdings",
    "NewPark",
    "Outcome",
    "ParkRate",
    "ScenarioError",
    "Stake",
    "Threshold",
    "WeakLine",
    "actual_rate",
    "compare",
    "figures",
    "judge_weak",
    "new_park_key",
    "parse_changes",
    "recompute",
    "venture_key",
]

BP = 10_000
#: The optimiser's limits (lib.optimise): within them capital × rate fits int64.
MAX_FEN = 10**13
MAX_RATE_BP = 100_000
CHANGE_KINDS = ("park_rate", "new_park", "stake", "weak_line", "budget")

MESSAGES = {
    "scenario.not_a_list": "The changes must be a list of changes.",
    "scenario.not_a_change": "Change {number} is not an object with a “kind”.",
    "scenario.unknown_kind": "Change {number}: unknown kind “{kind}”.",
    "scenario.missing": "Change {number}: “{field}” is missing.",
    "scenario.unexpected": "Change {number}: unexpected field “{field}”.",
    "scenario.not_whole": "Change {number}: “{field}” must be a whole number, not {value!r}.",
    "scenario.out_of_range": ("Change {number}: “{field}” is {value}, outside 0 to {limit}."),
    "scenario.zero": "Change {number}: “{field}” must be above zero.",
    "scenario.park_xor": (
        "Change {number}: name the park either by “venture” (an existing park) or by "
        "“park” (a new one), not both or neither."
    ),
    "scenario.bad_name": "Change {number}: “{field}” must be a non-empty text.",
    "scenario.bad_code": "Change {number}: “{field}” must be a code of digits, not {value!r}.",
    "scenario.duplicate_park": "Change {number}: the new park “{park}” is defined twice.",
    "scenario.duplicate_rate": "Change {number}: the rate of this park is changed twice.",
    "scenario.unknown_park": "Change {number}: no park “{park}” in this scenario.",
    "scenario.unknown_village": "Change {number}: village {village} has no statistics here.",
}


class ScenarioError(ValueError):
    """Bad changes: ``key`` names the message, ``params`` fill it."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(MESSAGES[key].format(**params))


def venture_key(venture_id: int) -> str:
    """The key of an existing park (a venture) in `Holdings.park` and the changes."""
    return f"venture:{int(venture_id)}"


def new_park_key(name: str) -> str:
    """The key of a park that a scenario creates."""
    return f"new:{name}"


# ------------------------------------------------------------------------------ changes


@dataclass(frozen=True)
class ParkRate:
    park: str
    rate_bp: int


@dataclass(frozen=True)
class NewPark:
    park: str
    rate_bp: int


@dataclass(frozen=True)
class Stake:
    park: str
    village: str
    stake_fen: int


@dataclass(frozen=True)
class WeakLine:
    region: str
    line_fen: int


@dataclass(frozen=True)
class Budget:
    park: str
    budget_fen: int


Change = ParkRate | NewPark | Stake | WeakLine | Budget

_FIELDS = {
    "park_rate": ({"venture", "rate_bp"}, set()),
    "new_park": ({"park", "rate_bp"}, set()),
    "stake": ({"village", "stake_fen"}, {"venture", "park"}),
    "weak_line": ({"region", "line_fen"}, set()),
    "budget": ({"budget_fen"}, {"venture", "park"}),
}


def _whole(number: int, item: Mapping, name: str, limit: int, *, positive: bool = False) -> int:
    value = item[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError("scenario.not_whole", number=number, field=name, value=value)
    if not 0 <= value <= limit:
        raise ScenarioError(
            "scenario.out_of_range", number=number, field=name, value=value, limit=limit
        )
    if positive and value == 0:
        raise ScenarioError("scenario.zero", number=number, field=name)
    return value


def _code(number: int, item: Mapping, name: str, lengths: tuple[int, ...]) -> str:
    value = item[name]
    if not (
        isinstance(value, str) and value.isascii() and value.isdigit() and len(value) in lengths
    ):
        raise ScenarioError("scenario.bad_code", number=number, field=name, value=value)
    return value


def _park(number: int, item: Mapping) -> str:
    has_venture, has_park = "venture" in item, "park" in item
    if has_venture == has_park:
        raise ScenarioError("scenario.park_xor", number=number)
    if has_venture:
        value = item["venture"]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ScenarioError("scenario.not_whole", number=number, field="venture", value=value)
        return venture_key(value)
    return new_park_key(_name(number, item, "park"))


def _name(number: int, item: Mapping, name: str) -> str:
    value = item[name]
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ScenarioError("scenario.bad_name", number=number, field=name)
    return value.strip()


def parse_changes(changes: Any) -> tuple[Change, ...]:
    """The changes from their JSON form (see the module docstring), checked: every field
    present and of its type, nothing unknown, each new park defined once before it is used,
    one rate change per park. Numbers count from 1 in the messages."""
    if not isinstance(changes, list | tuple):
        raise ScenarioError("scenario.not_a_list")
    parsed: list[Change] = []
    new_parks: set[str] = set()
    rated: set[str] = set()
    for number, item in enumerate(changes, start=1):
        if not isinstance(item, Mapping) or "kind" not in item:
            raise ScenarioError("scenario.not_a_change", number=number)
        kind = item["kind"]
        if kind not in _FIELDS:
            raise ScenarioError("scenario.unknown_kind", number=number, kind=str(kind))
        required, optional = _FIELDS[kind]
        for name in sorted(required):
            if name not in item:
                raise ScenarioError("scenario.missing", number=number, field=name)
        for name in sorted(set(item) - required - optional - {"kind"}):
            raise ScenarioError("scenario.unexpected", number=number, field=name)
        if kind == "park_rate":
            park = _park(number, {"venture": item["venture"]})
            if park in rated:
                raise ScenarioError("scenario.duplicate_rate", number=number)
            rated.add(park)
            parsed.append(ParkRate(park, _whole(number, item, "rate_bp", MAX_RATE_BP)))
        elif kind == "new_park":
            park = _park(number, {"park": item["park"]})
            if park in new_parks:
                raise ScenarioError("scenario.duplicate_park", number=number, park=item["park"])
            new_parks.add(park)
            parsed.append(NewPark(park, _whole(number, item, "rate_bp", MAX_RATE_BP)))
        elif kind == "stake":
            park = _park(number, item)
            if park.startswith("new:") and park not in new_parks:
                raise ScenarioError("scenario.unknown_park", number=number, park=item["park"])
            village = _code(number, item, "village", (12,))
            parsed.append(Stake(park, village, _whole(number, item, "stake_fen", MAX_FEN)))
        elif kind == "weak_line":
            region = _code(number, item, "region", (2, 4, 6, 9, 12))
            parsed.append(WeakLine(region, _whole(number, item, "line_fen", MAX_FEN)))
        else:
            park = _park(number, item)
            if park.startswith("new:") and park not in new_parks:
                raise ScenarioError("scenario.unknown_park", number=number, park=item["park"])
            parsed.append(Budget(park, _whole(number, item, "budget_fen", MAX_FEN, positive=True)))
    return tuple(parsed)


# --------------------------------------------------------------------------------- base


@dataclass(frozen=True)
class Threshold:
    """One weak-village line in force: its region, its tests (fen, None: no test) and its
    rule (`all_`: every test must hold; else any)."""

    region: str
    total: int | None = None
    operating: int | None = None
    recurring: int | None = None
    all_: bool = False


@dataclass(frozen=True)
class Holdings:
    """Village holdings in parks, one row per (village, park): `village` indexes
    `Base.codes`; `capital` and `received` in fen."""

    village: npt.NDArray[np.int64]
    park: npt.NDArray[np.str_]
    capital: npt.NDArray[np.int64]
    received: npt.NDArray[np.int64]

    @classmethod
    def empty(cls) -> Holdings:
        return cls(
            np.zeros(0, np.int64), np.zeros(0, "<U1"), np.zeros(0, np.int64), np.zeros(0, np.int64)
        )


@dataclass(frozen=True)
class Base:
    """The actual figures a scenario starts from (see the module docstring)."""

    codes: npt.NDArray[np.str_]
    counties: npt.NDArray[np.str_]
    total: npt.NDArray[np.int64]
    operating: npt.NDArray[np.float64]
    recurring: npt.NDArray[np.float64]
    thresholds: tuple[Threshold, ...]
    holdings: Holdings = field(default_factory=Holdings.empty)
    #: each existing park's actual rate (bp); `actual_rate` computes it from the holdings
    rates: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.codes.size
        for name in ("counties", "total", "operating", "recurring"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} has shape {getattr(self, name).shape}, codes {n}")
        if n > 1 and not (self.codes[1:] > self.codes[:-1]).all():
            raise ValueError("codes must be sorted and unique")


def actual_rate(capital: int, received: int) -> int:
    """A park's actual rate in bp: floor(received × 10000 / capital); 0 without capital."""
    return received * BP // capital if capital > 0 else 0


def _prefix_mask(codes: npt.NDArray[np.str_], region: str) -> npt.NDArray[np.bool_]:
    return np.char.startswith(codes, region)


def judge_weak(
    codes: npt.NDArray[np.str_],
    total: npt.NDArray[Any],
    operating: npt.NDArray[np.float64],
    recurring: npt.NDArray[np.float64],
    thresholds: Sequence[Threshold],
    lines: Sequence[WeakLine] = (),
) -> npt.NDArray[np.bool_]:
    """Which villages are weak (see the module docstring): True weak; False not weak or no
    line in force. `lines` are changed lines (total income) replacing those in force."""
    n = codes.size
    weak = np.zeros(n, dtype=bool)
    decided = np.zeros(n, dtype=bool)
    total_f = total.astype(np.float64)
    # Changed lines first, most specific region first (the last change of a region wins).
    by_line: dict[str, int] = {}
    for line in lines:
        by_line[line.region] = line.line_fen
    for region in sorted(by_line, key=lambda code: (-len(code), code)):
        members = _prefix_mask(codes, region) & ~decided
        weak |= members & (total_f < by_line[region])
        decided |= members
    by_region: dict[str, list[Threshold]] = {}
    for threshold in thresholds:
        by_region.setdefault(threshold.region, []).append(threshold)
    incomes = (total_f, operating, recurring)
    for region in sorted(by_region, key=lambda code: (-len(code), code)):
        members = _prefix_mask(codes, region) & ~decided
        if not members.any():
            continue
        below = np.zeros(n, dtype=bool)
        for threshold in by_region[region]:
            tests = [
                values < line  # NaN (not reported) is never below
                for values, line in zip(
                    incomes,
                    (threshold.total, threshold.operating, threshold.recurring),
                    strict=True,
                )
                if line is not None
            ]
            if not tests:
                continue
            combined = (
                np.logical_and.reduce(tests) if threshold.all_ else np.logical_or.reduce(tests)
            )
            below |= combined
        weak |= members & below
        decided |= members
    return weak


# ---------------------------------------------------------------------------- recompute


@dataclass(frozen=True)
class Outcome:
    """A scenario's (or the actual) incomes and weak flags, aligned with `Base.codes`."""

    total: npt.NDArray[np.int64]
    operating: npt.NDArray[np.float64]
    recurring: npt.NDArray[np.float64]
    returns: npt.NDArray[np.int64]
    weak: npt.NDArray[np.bool_]
    capital: npt.NDArray[np.int64]  # capital held in parks by each village
    capital_added: int  # capital placed by the scenario (fen), net of stakes cut


def _apply_delta(base: Base, delta: npt.NDArray[np.int64]):
    total = np.maximum(base.total + delta, 0)
    operating = np.maximum(base.operating + delta, 0.0)  # NaN stays NaN
    recurring = np.maximum(base.recurring + delta, 0.0)
    return total, operating, recurring


def recompute(base: Base, changes: Sequence[Change] = ()) -> Outcome:
    """The scenario's incomes, returns and weak villages (see the module docstring).

    Raises ScenarioError for a stake or budget in a park the base does not hold and the
    changes do not create, or a stake of a village without statistics in the base.
    """
    n = base.codes.size
    h = base.holdings
    rates = dict(base.rates)
    changed_rates: set[str] = set()
    lines: list[WeakLine] = []
    stakes: dict[tuple[int, str], int] = {}  # (village index, park) → capital, as changed
    budgets: list[Budget] = []
    for number, change in enumerate(changes, start=1):
        if isinstance(change, NewPark):
            rates[change.park] = change.rate_bp
            changed_rates.add(change.park)
            continue
        if isinstance(change, WeakLine):
            lines.append(change)
            continue
        if change.park not in rates:
            raise ScenarioError("scenario.unknown_park", number=number, park=change.park)
        if isinstance(change, ParkRate):
            rates[change.park] = change.rate_bp
            changed_rates.add(change.park)
        elif isinstance(change, Stake):
            i = int(np.searchsorted(base.codes, change.village))
            if i >= n or base.codes[i] != change.village:
                raise ScenarioError(
                    "scenario.unknown_village", number=number, village=change.village
                )
            stakes[(i, change.park)] = change.stake_fen
        else:
            budgets.append(change)

    # One row per (village, park): the actual holdings, then the new ones. A row's return is
    # recomputed from its capital when its capital or its park's rate changes, else kept.
    village, park = h.village.tolist(), h.park.tolist()
    capital, received = h.capital.tolist(), h.received.tolist()
    row = {(v, p): k for k, (v, p) in enumerate(zip(village, park, strict=True))}
    # A holder with no recorded capital (paid by population, say) keeps what it received.
    recomputed = [p in changed_rates and c > 0 for p, c in zip(park, capital, strict=True)]

    def stake(i: int, p: str, amount: int, *, add: bool) -> None:
        k = row.get((i, p))
        if k is None:
            row[(i, p)] = k = len(village)
            village.append(i)
            park.append(p)
            capital.append(0)
            received.append(0)
            recomputed.append(True)
        capital[k] = capital[k] + amount if add else amount
        recomputed[k] = True

    for (i, p), amount in stakes.items():
        stake(i, p, amount, add=False)

    def outcome() -> tuple:
        v = np.array(village, dtype=np.int64)
        cap = np.array(capital, dtype=np.int64)
        got = np.array(received, dtype=np.int64)
        rate = np.array([rates.get(p, 0) for p in park], dtype=np.int64)
        earned = np.where(np.array(recomputed, dtype=bool), cap * rate // BP, got)
        # Summed per village in int64 (np.add.at), never through float64.
        delta = np.zeros(n, dtype=np.int64)
        np.add.at(delta, v, earned - got)
        held = np.zeros(n, dtype=np.int64)
        np.add.at(held, v, cap)
        total, operating, recurring = _apply_delta(base, delta)
        weak = judge_weak(base.codes, total, operating, recurring, base.thresholds, lines)
        return delta, held, total, operating, recurring, weak

    delta, held, total, operating, recurring, weak = outcome()
    for budget in budgets:  # last, in order: each over the villages weak at that point
        members = np.flatnonzero(weak).tolist()
        if not members:
            continue
        for i, part in zip(members, allocate(budget.budget_fen, [1] * len(members)), strict=True):
            stake(i, budget.park, part, add=True)
        delta, held, total, operating, recurring, weak = outcome()
    actual = np.zeros(n, dtype=np.int64)
    np.add.at(actual, h.village, h.received)
    return Outcome(
        total=total,
        operating=operating,
        recurring=recurring,
        returns=actual + delta,
        weak=weak,
        capital=held,
        capital_added=int(held.sum() - h.capital.sum()),
    )


# ------------------------------------------------------------------------------ figures


def _num(value: float | None, places: int = 6) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), places)


def figures(outcome: Outcome, counties: npt.NDArray[np.str_]) -> dict[str, Any]:
    """The gap indicators of an outcome (money in fen; None where a measure is undefined,
    e.g. every income zero)."""
    total = outcome.total
    n = int(total.size)
    values = total.astype(np.float64)
    weak = int(outcome.weak.sum())
    result: dict[str, Any] = {
        "villages": n,
        "weak": {"count": weak, "share": _num(weak / n) if n else None},
        "total_income": {
            "sum": int(total.sum()),
            "mean": int(round(float(values.mean()))) if n else None,
            "median": int(round(float(np.median(values)))) if n else None,
            "min": int(total.min()) if n else None,
            "max": int(total.max()) if n else None,
        },
        "returns": int(outcome.returns.sum()),
        "capital": int(outcome.capital.sum()),
        "capital_added": outcome.capital_added,
        "gini": None,
        "theil_t": None,
        "theil_between_counties": None,
        "ratios": {"max_min": None, "palma": None, "s80_s20": None, "p90_p10": None},
    }
    if n and values.any():
        d = inequality.theil_decomposition(values, counties, kind="T")
        r = inequality.ratios(values)
        result |= {
            "gini": _num(inequality.gini(values)),
            "theil_t": _num(d.total),
            "theil_between_counties": _num(d.between_share),
            "ratios": {
                "max_min": _num(r.max_min),
                "palma": _num(r.palma),
                "s80_s20": _num(r.s80_s20),
                "p90_p10": _num(r.p90_p10),
            },
        }
    return result


def compare(
    base: Base, scenarios: Sequence[Sequence[Change]], *, changed_rows: int = 200
) -> dict[str, Any]:
    """The actual and each scenario side by side: {"actual": figures, "scenarios": [figures
    with "lifted", "newly_weak" and "villages_changed"], "villages": rows}.

    `villages` lists, by code, the villages whose income or weak status differs from the
    actual in some scenario (at most `changed_rows`; "villages_total" says how many): index
    into `base.codes`, actual total income and weak flag, and each scenario's.
    """
    actual = recompute(base, ())
    outcomes = [recompute(base, changes) for changes in scenarios]
    result: dict[str, Any] = {"actual": figures(actual, base.counties), "scenarios": []}
    differs = np.zeros(base.codes.size, dtype=bool)
    for outcome in outcomes:
        figure = figures(outcome, base.counties)
        changed = (outcome.total != actual.total) | (outcome.weak != actual.weak)
        differs |= changed
        figure["weak"] |= {
            "lifted": int((actual.weak & ~outcome.weak).sum()),
            "newly_weak": int((outcome.weak & ~actual.weak).sum()),
        }
        figure["villages_changed"] = int(changed.sum())
        result["scenarios"].append(figure)
    rows = np.flatnonzero(differs)
    result["villages_total"] = int(rows.size)
    result["villages"] = [
        {
            "index": int(i),
            "actual": {"total_income": int(actual.total[i]), "weak": bool(actual.weak[i])},
            "scenarios": [
                {"total_income": int(o.total[i]), "weak": bool(o.weak[i])} for o in outcomes
            ],
        }
        for i in rows[:changed_rows].tolist()
    ]
    return result
