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
}


def run(name: str, engine: str | None) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *([engine] if engine else [])],
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
    args = parser.parse_args()
    for name in args.only or list(BENCHMARKS):
        title, engines = BENCHMARKS[name]
        print(f"== {title}", flush=True)
        for engine in [e for e in engines if not args.engine or e in args.engine] or [None]:
            figures = run(name, engine)
            print(f"-- {engine or 'no database'}")
            for key, value in figures.items():
                print(f"   {key:34} {value}", flush=True)


if __name__ == "__main__":
    main()
