"""`make bench`: every benchmark on SQLite and on PostgreSQL, each in its own process.

Prints each run's figures; bench/README.md records them with the machine they came from.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from bench.common import ROOT

# name -> (title, engines it runs on; () means no database)
BENCHMARKS = {
    "stats_import": (
        "Issue 2: statistics import (255,470 rows) and the village list API",
        ("sqlite", "postgres"),
    ),
    "money_allocate": ("Issue 3: allocate() over 20,000 holders", ()),
    "venture_runs": (
        "Issue 3: 120 monthly distribution runs of a 20,000-holder venture (prepare, approve, post)",
        ("sqlite", "postgres"),
    ),
    "ledger_balances": (
        "Issue 3: posting 2.4 million postings; balances of 20,000 holders as of a date",
        ("sqlite", "postgres"),
    ),
    "ledger_check": (
        "Issue 10: check_ledger with the run reconciliation against bean-check, same ledger "
        "(122,000 transactions, 24,000 runs)",
        ("sqlite", "postgres"),
    ),
    "alliance_pages": (
        "Issue 4: alliance page, duty board, project list (1,000 projects, 10,000 duties, "
        "500 meetings)",
        ("sqlite", "postgres"),
    ),
    "inequality_national": (
        "Issue 5: Gini and Theil T by county over 620,573 villages, against PySAL",
        (),
    ),
    "dashboard_load": (
        "Issue 5: indicators API and showcase under load (gunicorn + wrk, 25,547 villages × 10 y)",
        ("postgres",),
    ),
    "grids": (
        "Issue 12: household import with sealed ID numbers and phones (1/10 of a province: "
        "100,000 households, 300,000 people; --quick 1/100), ID lookup, grid page",
        ("sqlite", "postgres"),
    ),
    "tourism": (
        "Issue 14: monthly tourism figures import, 5,000 spots × 10 years (600,000 rows; "
        "--quick 60,000), against the raw bulk write of the same rows",
        ("sqlite", "postgres"),
    ),
    "points": (
        "Issue 13: points for 1/20 of a province-year (50,000 households, 1,000,000 entries; "
        "--quick 1/100, --full 1,000,000 / 20,000,000): posting, balances, ranking page, a "
        "shares + points dividend for 10,000 households",
        ("sqlite", "postgres"),
    ),
    "import_guards": (
        "Issue 10: upload checks before parsing, on a province xlsx and on memory bombs",
        (),
    ),
    "optimise": (
        "Issue 15: optimiser, 2,000 weak villages of the 26 mountain counties × 30 parks "
        "(proven optimum) and 20,000 × 30 (60 s), against greedy and an equal split",
        (),
    ),
    "notices_wrk": (
        "Issue 10: the public notices (list page and API) under wrk against the showcase "
        "(gunicorn, 2 workers, 16 connections, the Pinghu demo)",
        ("sqlite", "postgres"),
    ),
    "scenarios": (
        "Issue 15: scenario recomputation for a province (25,547 villages) against the actual "
        "indicators computed once",
        ("sqlite", "postgres"),
    ),
    "enclave": (
        "Issue 14: the enclave programme page and API (30 parks paying 20,000 holder villages "
        "in the 26 mountain counties for 10 years, through the ledger) against the raw "
        "SUM … GROUP BY of the same postings",
        ("sqlite", "postgres"),
    ),
    "nation": (
        "Issue 11: the nation on PostgreSQL (620,573 villages × 10 years): csv import against "
        "COPY, indicators cold and warm, web against CLI import, 1 and 2 app servers under wrk",
        ("postgres",),
    ),
}
# Benchmarks with a shorter mode (`--quick`): PySAL's TheilD on a 50,000-row subsample;
# 3 s of load per URL instead of 10; the optimiser's 2,000-village instance only; 1/100 of
# a province's households instead of 1/10; 3,000 enclave holders over 5 years; 60,000
# monthly tourism figures instead of 600,000; 1/100 of a province-year's points; the nation's
# quick parts.
QUICK = {
    "inequality_national",
    "dashboard_load",
    "optimise",
    "grids",
    "notices_wrk",
    "enclave",
    "tourism",
    "points",
    "nation",
}


def run(name: str, engine: str | None, quick: bool = False) -> dict:
    extra = ["--quick"] if quick and name in QUICK else []
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *([engine] if engine else []), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"benchmark {name} on {engine} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=list(BENCHMARKS), action="append")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--quick", action="store_true", help="shorter runs where offered")
    args = parser.parse_args()
    for name in args.only or list(BENCHMARKS):
        title, engines = BENCHMARKS[name]
        print(f"== {title}", flush=True)
        chosen = [e for e in engines if not args.engine or e in args.engine]
        if engines and not chosen:
            print(f"-- skipped: runs on {', '.join(engines)} only")
            continue
        for engine in chosen or [None]:
            figures = run(name, engine, args.quick)
            print(f"-- {engine or 'no database'}")
            for key, value in figures.items():
                print(f"   {key:34} {value}", flush=True)


if __name__ == "__main__":
    main()
