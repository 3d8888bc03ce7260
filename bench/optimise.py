"""Benchmark: `lib.optimise` against its greedy and equal-split baselines on the same input.

    python -m bench.optimise            # 2,000 × 30 to proven optimum, then 20,000 × 30 (60 s)
    python -m bench.optimise --quick    # the 2,000 × 30 instance only

No Django, no database. Two seeded instances, both with 30 parks:

- **mountain**: 2,000 candidate villages drawn from the village-level units of Zhejiang's 26
  mountain counties (山区 26 县, 7,745 units in registry/data/divisions/villages.csv.gz),
  county = the unit's county; run without a time limit (goal: proven optimal, gap 0).
- **province**: 20,000 candidates drawn from all 25,547 Zhejiang units (90 counties), with a
  60 s time limit (goal: the gap reached and the lift against greedy).

Each village must reach the same line, ¥300,000 a year; its gap below it is lognormal
(median ¥80,000, clipped to ¥5,000–¥280,000). Parks: return 6–12 % (600–1,200 bp), a unit of
¥100,000, ¥500,000 or ¥1,000,000, a capacity of ¥20–80 million (whole units). Budget ¥1
billion for the 2,000 (¥10 billion for the 20,000, capacities scaled alike), so the budget,
the parks' capacities and the county cap (6 % of the budget per county; 3 % for the
province) all bind. Figures are in yuan; `ratio_lifted_vs_greedy` is lifted(optimiser) /
lifted(greedy). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np

from lib.optimise import Park, Village, optimise

ROOT = Path(__file__).resolve().parent.parent
VILLAGES = ROOT / "registry" / "data" / "divisions" / "villages.csv.gz"
SEED = 20250115
# The 26 mountain counties of Zhejiang (county-level division codes): the registry's group
# file, the one list of them.
MOUNTAIN_COUNTIES = [
    code
    for code, _name in json.loads(
        (ROOT / "registry" / "data" / "groups" / "shanqu26.json").read_text(encoding="utf-8")
    )["members"]
]
LINE_FEN = 30_000_000  # ¥300,000
YUAN = 100


def zhejiang_units() -> list[str]:
    """Codes of every village-level unit of Zhejiang (province 33), in file order."""
    with gzip.open(VILLAGES, "rt", encoding="utf-8") as lines:
        assert next(lines).startswith("code,")
        return [line[:12] for line in lines if line.startswith("33")]


def instance(pool: list[str], n_villages: int, n_parks: int, scale: int, seed: int):
    """Seeded villages (drawn from `pool`), parks and budget; capacities and budget × scale."""
    rng = np.random.default_rng(seed)
    codes = sorted(rng.choice(pool, size=n_villages, replace=False).tolist())
    gaps = np.clip(
        rng.lognormal(np.log(80_000 * YUAN), 0.7, n_villages), 5_000 * YUAN, 280_000 * YUAN
    )
    villages = [
        Village(code, code[:6], LINE_FEN - int(gap), LINE_FEN)
        for code, gap in zip(codes, gaps.astype(np.int64).tolist(), strict=True)
    ]
    parks = []
    for p in range(n_parks):
        unit = int(rng.choice([100_000, 500_000, 1_000_000])) * YUAN
        capacity = int(rng.integers(20, 81)) * 1_000_000 * YUAN * scale // unit * unit
        parks.append(Park(f"park-{p + 1:02d}", int(rng.integers(600, 1_201)), capacity, unit))
    return villages, parks, 1_000_000_000 * YUAN * scale


def measure(villages, parks, budget, share, time_limit) -> dict:
    started = time.perf_counter()
    result = optimise(villages, parks, budget, county_cap=share, time_limit=time_limit)
    wall = time.perf_counter() - started
    return {
        "villages": result.candidates,
        "parks": len(parks),
        "counties": len({v.county for v in villages}),
        "pairs": result.pairs,
        "budget_yuan": budget // YUAN,
        "county_cap_share": share,
        "time_limit_s": time_limit,
        "lifted": result.lifted,
        "capital_yuan": result.capital_fen // YUAN,
        "status": result.status,
        "gap": round(result.gap, 6),
        "lifted_bound": result.lifted_bound,
        "capital_gap": None if result.capital_gap is None else round(result.capital_gap, 6),
        "seconds": round(wall, 2),
        "solver_seconds": round(result.solver_seconds, 2),
        "stages_seconds_nodes": result.stages,
        "greedy_lifted": result.greedy.lifted,
        "greedy_capital_yuan": result.greedy.capital_fen // YUAN,
        "equal_lifted": result.equal.lifted,
        "equal_capital_yuan": result.equal.capital_fen // YUAN,
        "ratio_lifted_vs_greedy": round(result.lifted / max(result.greedy.lifted, 1), 3),
        "ratio_lifted_vs_equal": round(result.lifted / max(result.equal.lifted, 1), 3),
    }


def main(quick: bool = False) -> dict:
    units = zhejiang_units()
    mountain = [code for code in units if code[:6] in MOUNTAIN_COUNTIES]
    villages, parks, budget = instance(mountain, 2_000, 30, 1, SEED)
    figures = {
        f"mountain_{k}": v for k, v in measure(villages, parks, budget, "0.06", None).items()
    }
    figures["mountain_goal_met"] = (
        figures["mountain_status"] == "optimal" and figures["mountain_gap"] == 0
    )
    if not quick:
        villages, parks, budget = instance(units, 20_000, 30, 10, SEED + 1)
        large = measure(villages, parks, budget, "0.03", 60.0)
        figures.update({f"province_{k}": v for k, v in large.items()})
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the 2,000-village instance only")
    print(json.dumps(main(parser.parse_args().quick), ensure_ascii=False))
