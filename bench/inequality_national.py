"""Benchmark: `lib.inequality` over every village-level unit in China, against PySAL.

    python -m bench.inequality_national            # PySAL TheilD on all rows (≈1–2 min)
    python -m bench.inequality_national --quick    # PySAL TheilD on a 50,000-row subsample

No Django. Reads the village codes from registry/data/divisions/villages.csv.gz (≈620,000
units; county = code[:6], ≈3,000 counties), draws seeded incomes (lognormal, with a county
effect so that there is between-county inequality) and populations (200–5,000 per village).

Measured on the same unweighted data in the same run: `gini(y)` against PySAL's
`Gini(y).g`, and `theil_decomposition(y, county, kind="T")` against PySAL's
`TheilD(y, county)` (.T, .bg, .wg). Ours are medians of RUNS runs; PySAL's Gini too; PySAL's
TheilD, which scans the whole array once per county (two boolean masks per group, one summed
in Python), runs once. ratio = PySAL / ours. `max_abs_diff` compares the results. PySAL's Gini
(1.1.2) sorts with argsort (O(n log n) time, O(n) memory), so it runs on all rows here; the
weighted figures (by population) have no PySAL counterpart and are reported for scale only.

The issue's task is "Gini and Theil T with decomposition by county" together: `combined_ratio`
is PySAL's (Gini + TheilD) time over ours (gini + theil_decomposition), on the same rows
(all rows; the subsample with --quick). Gini alone cannot reach 100×: both sort, and the
sort is the floor. Also per-county Gini for every county: `gini_by_group` (two sorts and a
few bincounts) against PySAL's `Gini` called once per county on arrays split beforehand
(the split is not timed, in PySAL's favour).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from pathlib import Path

import numpy as np

from lib.inequality import gini, gini_by_group, ratios, theil_decomposition, theil_t

ROOT = Path(__file__).resolve().parent.parent
VILLAGES = ROOT / "registry" / "data" / "divisions" / "villages.csv.gz"
RUNS = 5
QUICK_ROWS = 50_000
SEED = 20250101


def county_codes() -> np.ndarray:
    """County code (the first 6 digits of the 12-digit code) of every village-level unit."""
    with gzip.open(VILLAGES, "rt", encoding="utf-8") as lines:
        header = next(lines)
        assert header.startswith("code,"), header
        return np.fromiter((int(line[:6]) for line in lines), dtype=np.int64)


def timed(function, runs: int = RUNS) -> tuple[float, object]:
    """(median wall time in ms over `runs` calls, the last result)."""
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 3), result


def main(quick: bool = False) -> dict:
    started = time.perf_counter()
    counties = county_codes()
    read_s = time.perf_counter() - started
    rng = np.random.default_rng(SEED)
    _, county_index = np.unique(counties, return_inverse=True)
    county_effect = rng.normal(0.0, 0.35, county_index.max() + 1)
    incomes = rng.lognormal(np.log(30_000) + county_effect[county_index], 0.6)
    population = rng.integers(200, 5_001, counties.size)

    from inequality.gini import Gini
    from inequality.theil import TheilD

    figures: dict = {
        "rows": int(counties.size),
        "counties": int(county_effect.size),
        "runs": RUNS,
        "read_codes_s": round(read_s, 3),
    }
    ours_ms, ours_g = timed(lambda: gini(incomes))
    pysal_ms, pysal_g = timed(lambda: Gini(incomes).g)
    figures |= {
        "gini_ms": ours_ms,
        "pysal_gini_ms": pysal_ms,
        "gini_ratio": round(pysal_ms / ours_ms, 2),
        "gini": round(ours_g, 6),
        "gini_max_abs_diff": abs(ours_g - float(pysal_g)),
    }

    ours_ms, ours = timed(lambda: theil_decomposition(incomes, counties, kind="T"))
    if quick:
        rows = rng.choice(counties.size, QUICK_ROWS, replace=False)
        y, groups = incomes[rows], counties[rows]
        sub_ms, sub = timed(lambda: theil_decomposition(y, groups, kind="T"))
        sub_gini_ms, _ = timed(lambda: gini(y))
        sub_pysal_gini_ms, _ = timed(lambda: Gini(y).g)
    else:
        y, groups, sub_ms, sub = incomes, counties, ours_ms, ours
        sub_gini_ms, sub_pysal_gini_ms = figures["gini_ms"], figures["pysal_gini_ms"]
    pysal_ms, pysal = timed(lambda: TheilD(y, groups), runs=1)
    figures |= {
        "theil_rows_pysal": int(y.size),
        "theil_decomposition_ms": ours_ms,
        "theil_decomposition_ms_same_rows": sub_ms,
        "pysal_theild_ms": pysal_ms,
        "theil_ratio": round(pysal_ms / sub_ms, 1),
        "theil_t": round(ours.total, 6),
        "theil_between": round(ours.between, 6),
        "theil_within": round(ours.within, 6),
        "theil_max_abs_diff": max(
            abs(sub.total - float(np.ravel(pysal.T)[0])),
            abs(sub.between - float(np.ravel(pysal.bg)[0])),
            abs(sub.within - float(np.ravel(pysal.wg)[0])),
        ),
        "identity_error": abs(ours.total - ours.between - ours.within),
    }
    # The task as one: Gini and Theil T with decomposition by county, same rows.
    figures["combined_ms"] = round(sub_gini_ms + sub_ms, 3)
    figures["pysal_combined_ms"] = round(sub_pysal_gini_ms + pysal_ms, 3)
    figures["combined_ratio"] = round(figures["pysal_combined_ms"] / figures["combined_ms"], 1)

    # Per-county Gini of every county: one vectorised pass against PySAL per county.
    order = np.argsort(counties, kind="stable")
    bounds = np.flatnonzero(np.diff(counties[order])) + 1
    per_county = np.split(incomes[order], bounds)  # split once, untimed, for PySAL
    ours_ms, (names, ginis) = timed(lambda: gini_by_group(incomes, counties))
    pysal_ms, pysal_ginis = timed(lambda: [Gini(part).g for part in per_county], runs=1)
    figures |= {
        "gini_by_county_ms": ours_ms,
        "pysal_gini_per_county_ms": pysal_ms,
        "gini_by_county_ratio": round(pysal_ms / ours_ms, 1),
        "gini_by_county_max_abs_diff": float(
            np.nanmax(np.abs(ginis - np.array(pysal_ginis, dtype=np.float64)))
        ),
        "counties_gini": int(names.size),
    }
    figures["weighted_gini_ms"], weighted_g = timed(lambda: gini(incomes, population))
    figures["weighted_theil_decomposition_ms"], _ = timed(
        lambda: theil_decomposition(incomes, counties, population, kind="T")
    )
    figures["weighted_theil_l_decomposition_ms"], _ = timed(
        lambda: theil_decomposition(incomes, counties, population, kind="L")
    )
    figures["weighted_ratios_ms"], weighted_r = timed(lambda: ratios(incomes, population))
    figures["weighted_gini"] = round(weighted_g, 6)
    figures["weighted_palma"] = round(weighted_r.palma, 4)
    assert abs(ours.total - theil_t(incomes)) < 1e-12
    figures["gini_goal_met"] = figures["gini_ratio"] >= 100
    figures["theil_goal_met"] = figures["theil_ratio"] >= 100
    figures["combined_goal_met"] = figures["combined_ratio"] >= 100
    figures["total_s"] = round(time.perf_counter() - started, 1)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"PySAL TheilD on {QUICK_ROWS:,} rows only"
    )
    print(json.dumps(main(quick=parser.parse_args().quick)))
