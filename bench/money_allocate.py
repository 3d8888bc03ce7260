"""Benchmark: `lib.money.allocate` over 20,000 holders, against the pure-Python path.

    python -m bench.money_allocate

Seeded weights shaped like a share register (1 to 1,000,000 shares each, so remainders
rarely tie) and a distribution of ¥12,345,678.91. Measured: `allocate` on a list of
Python ints (as read from the database), with keys None and with shuffled integer primary
keys, and `allocate_array` on int64 arrays. Baseline: `allocate_pure` (Python ints) on the
same list in the same run. Each figure is the median of RUNS runs, in milliseconds;
ratio = baseline / measured. Goal: allocate under 5 ms. Prints one JSON line.
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np

from lib.money import allocate, allocate_array, allocate_pure

HOLDERS = 20_000
RUNS = 50
TOTAL = 1_234_567_891  # fen


def median_ms(function, runs: int = RUNS) -> float:
    """Median wall time of `function()` over `runs` calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 3)


def main() -> dict:
    rng = np.random.default_rng(20250101)
    weight_array = rng.integers(1, 1_000_001, HOLDERS, dtype=np.int64)
    key_array = rng.permutation(np.arange(100_000, 100_000 + HOLDERS, dtype=np.int64))
    weights, keys = weight_array.tolist(), key_array.tolist()

    expected = allocate_pure(TOTAL, weights, keys=keys)
    assert allocate(TOTAL, weights, keys=keys) == expected
    assert allocate_array(TOTAL, weight_array, key_array).tolist() == expected
    assert sum(expected) == TOTAL

    figures = {
        "holders": HOLDERS,
        "runs": RUNS,
        "allocate_ms": median_ms(lambda: allocate(TOTAL, weights)),
        "allocate_keys_ms": median_ms(lambda: allocate(TOTAL, weights, keys=keys)),
        "allocate_array_ms": median_ms(lambda: allocate_array(TOTAL, weight_array)),
        "allocate_array_keys_ms": median_ms(lambda: allocate_array(TOTAL, weight_array, key_array)),
        "baseline_pure_ms": median_ms(lambda: allocate_pure(TOTAL, weights)),
        "baseline_pure_keys_ms": median_ms(lambda: allocate_pure(TOTAL, weights, keys=keys)),
    }
    figures["ratio"] = round(figures["baseline_pure_ms"] / figures["allocate_ms"], 1)
    figures["ratio_keys"] = round(figures["baseline_pure_keys_ms"] / figures["allocate_keys_ms"], 1)
    figures["goal_met"] = figures["allocate_ms"] < 5 and figures["allocate_keys_ms"] < 5
    return figures


if __name__ == "__main__":
    print(json.dumps(main()))
