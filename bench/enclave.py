"""Issue 14 benchmark: the enclave programme of the 26 mountain counties.

Run by `make bench` (bench/run.py), once per database, in its own process:
    python -m bench.enclave sqlite|postgres [--quick]

Setup (not measured): the province, its cities and the 26 mountain counties (codes and names
from registry/data/groups/shanqu26.json, loaded by `load_region_groups`), one township per
county and 20,000 holder villages spread over the 26 counties (synthetic codes), by
`core.db.bulk_insert`; 30 enclave parks (site 平湖, owner a mountain county, programme
shanqu26; the first four counties have two parks), each holding the villages of its owner
county (split between its two parks where it has two) by bulk-inserted stakes; 10 years of
rent per park (`record_income`, posted) and one run per park and year through the services:
`prepare_run` (pro rata) → `approve_run` → `post_run` — 300 runs, 200,000 payable postings in
the ledger. Statistics of every village for the last year (bulk) and the province's weak line.
`--quick`: 3,000 villages, 5 years.

Measured, in the same process:
- baseline: the raw `SUM … GROUP BY county, period` of the same postings (analytics.
  programme.paid_sql, through a cursor: the page's own aggregate, alone), p50/p99 of 20;
- the programme page and the API (`/api/v1/programmes/shanqu26/`) through the test client as
  a signed-in auditor: cold (the first request after `cache.clear()`, 5 times: max and
  median) and warm (p50/p99 of 200), with the SQL queries per request;
- ratios: cold / baseline p50 and warm p99 / baseline p50.
Goals: warm p99 < 100 ms, cold < 1 s.
Checks: the page's total equals Σ of the posted runs' distributed amounts, and
check_ledger() is [].
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

from bench.common import OUT, PG_URL, percentiles, setup_django, timed

PARKS = 30
FIRST_YEAR = 2015


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def build(villages: int, years: int, results: dict) -> dict:
    from django.db import transaction

    from accounts.models import Grant, User
    from core.actors import SYSTEM
    from core.db import bulk_insert
    from core.roles import Role
    from registry.choices import OrganisationKind, RegionLevel, VillageKind
    from registry.models import (
        Organisation,
        Region,
        Village,
        VillageStat,
        WeakVillageThreshold,
    )
    from registry.selectors import read_region_group
    from registry.services.groups import load_region_groups
    from ventures import services
    from ventures.choices import VentureKind
    from ventures.models import Stake, Venture

    counties = read_region_group("shanqu26")["members"]
    with transaction.atomic():
        regions = [("33", "浙江省", RegionLevel.PROVINCE, None)]
        cities = sorted({code[:4] for code, _n in counties} | {"3304"})
        regions += [(c, f"市{c}", RegionLevel.CITY, "33") for c in cities]
        regions.append(("330482", "平湖市", RegionLevel.COUNTY, "3304"))
        regions += [(code, name, RegionLevel.COUNTY, code[:4]) for code, name in counties]
        regions += [
            (code + "001", f"{name}一镇", RegionLevel.TOWNSHIP, code) for code, name in counties
        ]
        bulk_insert(Region, ["code", "name", "level", "parent_id"], regions)
        rows = []
        for i in range(villages):
            county = counties[i % len(counties)][0]
            seq = i // len(counties) + 1
            code = f"{county}001{seq:03d}"
            rows.append(
                (
                    code,
                    f"村{code}村民委员会",
                    f"村{code}",
                    VillageKind.VILLAGE,
                    county + "001",
                    county,
                )
            )
        bulk_insert(
            Village, ["code", "name", "short_name", "kind", "township_id", "county_id"], rows
        )
        codes_by_county: dict[str, list[str]] = {}
        for code, *_rest, county in rows:
            codes_by_county.setdefault(county, []).append(code)
    load_region_groups(actor=SYSTEM)

    finance = User.objects.create_user(username="bench-finance", password="x")
    approver = User.objects.create_user(username="bench-approver", password="x")
    auditor = User.objects.create_user(username="bench-auditor", password="x")
    Grant.objects.create(user=auditor, role=Role.AUDITOR)
    parks = []
    for p in range(PARKS):
        county, name = counties[p % len(counties)]
        company = Organisation.objects.create(
            name=f"{name}强村公司{p}", kind=OrganisationKind.JOINT_INVESTMENT, region_id=county
        )
        Grant.objects.create(user=finance, role=Role.FINANCE, organisation=company)
        Grant.objects.create(user=approver, role=Role.APPROVER, organisation=company)
        venture = Venture.objects.create(
            name=f"平湖—{name}飞地{p}",
            kind=VentureKind.ENCLAVE_PARK,
            organisation=company,
        )
        services.set_pairing(
            venture,
            site_county="330482",
            owner_county=county,
            programme="shanqu26",
            actor=SYSTEM,
        )
        parks.append((venture, county))
    # Holders: each park the villages of its owner county, halved between two parks.
    start = date(FIRST_YEAR, 1, 1)
    stake_rows = []
    for venture, county in parks:
        siblings = [v for v, c in parks if c == county]
        k, n = siblings.index(venture), len(siblings)
        for j, code in enumerate(codes_by_county[county]):
            if j % n == k:
                stake_rows.append((venture.pk, code, 1 + (j * 7919) % 100, start, ""))
    with transaction.atomic():
        bulk_insert(
            Stake, ["venture_id", "village_id", "units", "effective_from", "note"], stake_rows
        )
    results["holders"] = len(stake_rows)

    started = time.perf_counter()
    runs = 0
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        for p, (venture, _county) in enumerate(parks):
            services.record_income(
                venture,
                amount=300_000_000 + p * 1_000_001 + year,
                received_on=date(year, 12, 20),
                actor=finance,
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
            )
            run = services.prepare_run(
                venture,
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                policy="pro_rata",
                params={},
                actor=finance,
            ).run
            run = services.approve_run(run, actor=approver)
            services.post_run(run, actor=finance, date=date(year, 12, 31))
            runs += 1
    results["runs"] = runs
    results["runs_through_services_s"] = round(time.perf_counter() - started, 1)

    last = FIRST_YEAR + years - 1
    with transaction.atomic():
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
            (
                (code, last, t, t // 2, t // 2, True)
                for i, (code, *_r) in enumerate(rows)
                for t in [5_000_000 + (i * 104_729) % 40_000_000]
            ),
        )
    WeakVillageThreshold.objects.create(
        name="省定薄弱村（基准）",
        region_id="33",
        valid_from=FIRST_YEAR,
        total_income_below=20_000_000,
    )
    return {"auditor": auditor, "last": last}


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main(engine: str, quick: bool) -> dict:
    url = PG_URL if engine == "postgres" else f"sqlite:///{OUT / 'enclave.sqlite3'}"
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(url)
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from analytics import programme
    from ledger.models import Posting
    from ledger.selectors import check_ledger
    from ventures.choices import RunStatus
    from ventures.models import DistributionRun

    villages, years = (3_000, 5) if quick else (20_000, 10)
    results: dict = {"engine": engine, "villages": villages, "parks": PARKS, "years": years}
    with timed(results, "setup_s"):
        ctx = build(villages, years, results)
    analyze()
    results["postings"] = Posting.objects.count()

    # Baseline: the raw SUM … GROUP BY of the same postings.
    sql, params = programme.paid_sql(), programme._params("shanqu26") * 2
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            raw = cursor.fetchall()
        samples.append(time.perf_counter() - started)
    base_p50, base_p99 = percentiles(samples)
    results["raw_group_by_p50_ms"], results["raw_group_by_p99_ms"] = _ms(base_p50), _ms(base_p99)
    results["raw_group_by_rows"] = len(raw)

    client = Client()
    client.force_login(ctx["auditor"], backend="django.contrib.auth.backends.ModelBackend")
    # Prime the process (URL resolvers, templates, translations): "cold" is the cache's.
    client.get("/analytics/programme/")
    client.get("/api/v1/programmes/shanqu26/")
    for name, path in (
        ("page", "/analytics/programme/"),
        ("api", "/api/v1/programmes/shanqu26/"),
    ):
        cold = []
        for _ in range(5):
            cache.clear()
            reset_queries()  # the log is a bounded deque: a full one captures nothing
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            cold.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        results[f"{name}_cold_queries"] = len(queries.captured_queries)
        results[f"{name}_cold_max_ms"] = _ms(max(cold))
        results[f"{name}_cold_median_ms"] = _ms(statistics.median(cold))
        warm = []
        for _ in range(200):
            reset_queries()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            warm.append(time.perf_counter() - started)
        results[f"{name}_warm_queries"] = len(queries.captured_queries)
        p50, p99 = percentiles(warm)
        results[f"{name}_warm_p50_ms"], results[f"{name}_warm_p99_ms"] = _ms(p50), _ms(p99)
        results[f"{name}_cold_ratio"] = round(max(cold) / base_p50, 1)
        results[f"{name}_warm_p99_ratio"] = round(p99 / base_p50, 2)
        results[f"{name}_goal_met"] = p99 < 0.1 and max(cold) < 1.0

    data = programme.programme("shanqu26")
    posted = sum(
        DistributionRun.objects.filter(status=RunStatus.POSTED).values_list(
            "distributed_amount", flat=True
        )
    )
    results["total_matches_runs"] = data["total"] == posted
    results["lifted"] = data["lifted"]
    results["weak_without"] = data["weak_without"]
    results["check_ledger_clean"] = check_ledger() == []
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=["sqlite", "postgres"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps(main(args.engine, args.quick), ensure_ascii=False))
