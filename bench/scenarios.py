"""Issue 15 benchmark: scenario recomputation for a province against computing the actual
indicators once, in the same run.

    python -m bench.scenarios sqlite|postgres

1. A fresh database (PostgreSQL: BENCH_SCEN_PG_URL, default baotuan_scen_bench): the Zhejiang divisions (25,547 village-level units), one year of
   seeded statistics for every unit (raw bulk path), the province's weak line and a county's
   own line; an enclave park run by a joint company with 300 village holders (stakes and
   capital through the ventures services) and its year's pro-rata run posted.
2. Baseline: `analytics.selectors.indicators("33", Y)` — the actual gap indicators of the
   province, uncached (the dashboards' and the API's computation).
3. Measured: `analytics.scenarios.comparison` of one scenario with every kind of change (the
   park's rate, a new park with 1,000 stakes, a city's weak line, a budget over the villages
   still weak); then three scenarios side by side. Each is read from the database (the base)
   and recomputed from scratch, as the page and the API do.

Each figure is the median of 5 runs after a warm-up. Goal: one scenario ≤ 1.5 × the
actual indicators. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import numpy as np

from bench.common import OUT, setup_django

PG_URL = os.getenv("BENCH_SCEN_PG_URL", "postgres://postgres@127.0.0.1:5432/baotuan_scen_bench")

YEAR = 2022
RUNS = 5
HOLDERS = 300
STAKES = 1_000


def load_data() -> dict:
    from datetime import date

    from accounts.models import Grant, User
    from audit.context import change_context
    from core.actors import SYSTEM
    from core.db import bulk_insert
    from core.roles import Role
    from registry.choices import OrganisationKind
    from registry.models import Organisation, Village, VillageStat, WeakVillageThreshold
    from registry.services.divisions import load_divisions
    from ventures import services
    from ventures.choices import VentureKind
    from ventures.models import Venture

    figures: dict = {}
    started = time.perf_counter()
    with change_context(user=SYSTEM, source="cli", path="bench"):
        load_divisions(["33"], actor=SYSTEM)
        codes = list(Village.objects.order_by("code").values_list("code", flat=True))
        rng = np.random.default_rng(20221231)
        n = len(codes)
        total = (rng.lognormal(np.log(800_000), 1.0, n) * 100).astype(np.int64)
        operating = (total * rng.uniform(0.2, 0.9, n)).astype(np.int64)
        recurring = np.minimum(total, (operating * rng.uniform(1.0, 1.3, n)).astype(np.int64))
        bulk_insert(
            VillageStat,
            [
                "village_id",
                "year",
                "total_income",
                "operating_income",
                "recurring_income",
                "is_illustrative",
            ],
            [
                (code, YEAR, int(t), int(o), int(r), False)
                for code, t, o, r in zip(codes, total, operating, recurring, strict=True)
            ],
        )
        WeakVillageThreshold.objects.create(
            name="province",
            region_id="33",
            valid_from=2013,
            total_income_below=50_000_000,
            operating_income_below=25_000_000,
        )
        WeakVillageThreshold.objects.create(
            name="平湖",
            region_id="330482",
            valid_from=2013,
            total_income_below=80_000_000,
        )
        company = Organisation.objects.create(
            name="bench 联合投资", kind=OrganisationKind.JOINT_INVESTMENT, region_id="331121"
        )
        finance = User.objects.create_user("finance", password="x")
        approver = User.objects.create_user("approver", password="x")
        Grant.objects.create(user=finance, role=Role.FINANCE, organisation=company)
        Grant.objects.create(user=approver, role=Role.APPROVER, organisation=company)
        park = Venture.objects.create(
            name="bench 飞地园", kind=VentureKind.ENCLAVE_PARK, organisation=company
        )
        holders = sorted(rng.choice(codes, HOLDERS, replace=False).tolist())
        for code in holders:
            services.add_stake(
                park,
                holder=f"village:{code}",
                units=100,
                effective_from=date(2020, 1, 1),
                actor=finance,
            )
            services.record_contribution(
                park,
                holder=f"village:{code}",
                kind="cash",
                amount=100_000_000,
                contributed_on=date(2020, 1, 1),
                actor=finance,
            )
        services.record_income(
            park,
            amount=HOLDERS * 8_000_000,
            received_on=date(YEAR, 12, 20),
            actor=finance,
            period_start=date(YEAR, 1, 1),
            period_end=date(YEAR, 12, 31),
        )
        run = services.prepare_run(
            park,
            period_start=date(YEAR, 1, 1),
            period_end=date(YEAR, 12, 31),
            policy="pro_rata",
            params={},
            actor=finance,
        ).run
        services.approve_run(run, actor=approver)
        services.post_run(run, actor=finance, date=date(YEAR + 1, 1, 15))
    figures["villages"] = n
    figures["setup_s"] = round(time.perf_counter() - started, 1)
    figures["_park"] = park.pk
    figures["_codes"] = codes
    return figures


def _median(function) -> float:
    function()  # warm-up
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(engine: str) -> dict:
    url = PG_URL if engine == "postgres" else f"sqlite:///{OUT / 'scenarios.sqlite3'}"
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(url)
    figures = load_data()
    park, codes = figures.pop("_park"), figures.pop("_codes")

    from analytics import scenarios, selectors, services
    from core.actors import SYSTEM

    rng = np.random.default_rng(7)
    staked = sorted(rng.choice(codes, STAKES, replace=False).tolist())
    every_kind = [
        {"kind": "park_rate", "venture": park, "rate_bp": 1500},
        {"kind": "new_park", "park": "新园", "rate_bp": 900},
        *(
            {"kind": "stake", "village": code, "park": "新园", "stake_fen": 200_000_000}
            for code in staked
        ),
        {"kind": "weak_line", "region": "3311", "line_fen": 60_000_000},
        {"kind": "budget", "park": "新园", "budget_fen": 500_000_000_000},
    ]
    one = services.create_scenario(
        region="33", year=YEAR, name="every kind", changes=every_kind, actor=SYSTEM
    )
    more = [
        services.create_scenario(
            region="33",
            year=YEAR,
            name=f"rate {bp}",
            changes=[{"kind": "park_rate", "venture": park, "rate_bp": bp}],
            actor=SYSTEM,
        )
        for bp in (500, 3000)
    ]
    actual = selectors.indicators("33", YEAR)
    result = scenarios.comparison([one])
    figures["actual_weak"] = actual["weak"]["count"]
    figures["scenario_weak"] = result["scenarios"][0]["weak"]["count"]
    figures["scenario_lifted"] = result["scenarios"][0]["weak"]["lifted"]
    figures["scenario_villages_changed"] = result["villages_total"]
    figures["actual_gini"] = actual["gini"]
    figures["scenario_actual_gini"] = result["actual"]["gini"]  # the same, recomputed
    figures["scenario_gini"] = result["scenarios"][0]["gini"]

    base = _median(lambda: selectors.indicators("33", YEAR))
    single = _median(lambda: scenarios.comparison([one]))
    three = _median(lambda: scenarios.comparison([one, *more]))
    loaded = scenarios.load_base("33", YEAR)
    parsed = scenarios.clean_changes(one.changes, loaded)
    from lib import scenarios as pure

    arrays = _median(lambda: pure.compare(loaded.base, [parsed]))
    figures.update(
        {
            "indicators_actual_ms": round(base * 1000, 1),
            "scenario_one_ms": round(single * 1000, 1),
            "scenario_three_side_by_side_ms": round(three * 1000, 1),
            "of_which_numpy_recompute_one_ms": round(arrays * 1000, 1),
            "load_base_ms": round(_median(lambda: scenarios.load_base("33", YEAR)) * 1000, 1),
            "ratio_one_scenario_vs_actual": round(single / base, 2),
            "ratio_three_scenarios_vs_actual": round(three / base, 2),
            "goal_met": single / base <= 1.5,
        }
    )
    return figures


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite"), ensure_ascii=False))
