"""Issue 2 benchmark: statistics import at province scale, and the village list API.

Run by `make bench` (bench/run.py), once per database, in its own process:
    python -m bench.stats_import sqlite|postgres

1. A seeded generator writes statistics for every Zhejiang village-level unit for 10 years
   (25,547 × 10 = 255,470 rows) as xlsx, in the import template's format.
2. Baseline: read that file with python-calamine and write the rows by the raw bulk path
   (executemany in one transaction on SQLite, COPY on PostgreSQL), without validation.
3. Measured: `import_stats` of the same file into an empty table (validated, scoped,
   change-logged), then again (nothing changes). Ratio = measured / baseline; goal ≤ 2.
4. The village list API at that scale: p50/p99 over repeated requests and the SQL queries
   per request for several page sizes (must not grow with page size).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from bench.common import OUT, PG_URL, percentiles, setup_django, timed

YEARS = range(2013, 2023)
HEADERS = [
    "统计用区划代码",
    "村名",
    "年度",
    "集体经济总收入（元）",
    "经营性收入（元）",
    "经常性收入（元）",
    "户籍人口（人）",
    "户数（户）",
    "农村居民人均可支配收入（元）",
]


def generate_xlsx(villages: list[tuple[str, str]], path, seed: int = 20221231) -> int:
    """Write the seeded province file; money as numbers with two decimals, as Excel would."""
    import xlsxwriter

    rng = np.random.default_rng(seed)
    n = len(villages) * len(YEARS)
    total = np.round(rng.lognormal(np.log(800_000), 1.0, n), 2)
    operating = np.round(total * rng.uniform(0.2, 0.9, n), 2)
    recurring = np.round(np.minimum(total, operating * rng.uniform(1.0, 1.3, n)), 2)
    population = rng.integers(300, 6000, n)
    households = (population / rng.uniform(2.5, 3.5, n)).astype(int) + 1
    per_capita = np.round(rng.normal(38_000, 8_000, n).clip(8_000), 2)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("统计数据")
    sheet.write_row(0, 0, HEADERS)
    i = 0
    for code, name in villages:
        for year in YEARS:
            i += 1
            sheet.write_string(i, 0, code)
            sheet.write_string(i, 1, name)
            sheet.write_number(i, 2, year)
            sheet.write_number(i, 3, float(total[i - 1]))
            sheet.write_number(i, 4, float(operating[i - 1]))
            sheet.write_number(i, 5, float(recurring[i - 1]))
            sheet.write_number(i, 6, int(population[i - 1]))
            sheet.write_number(i, 7, int(households[i - 1]))
            sheet.write_number(i, 8, float(per_capita[i - 1]))
    workbook.close()
    return i


def baseline(path) -> int:
    """calamine read + raw bulk write, no validation: the fastest honest way in."""
    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from core.db import bulk_insert
    from registry.models import VillageStat

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    fields = [
        "village_id",
        "year",
        "total_income",
        "operating_income",
        "recurring_income",
        "population",
        "households",
        "per_capita_disposable_income",
        "is_illustrative",
    ]
    with transaction.atomic():
        return bulk_insert(
            VillageStat,
            fields,
            (
                (
                    r[0],
                    int(r[2]),
                    round(r[3] * 100),
                    round(r[4] * 100),
                    round(r[5] * 100),
                    int(r[6]),
                    int(r[7]),
                    round(r[8] * 100),
                    False,
                )
                for r in rows[1:]
            ),
        )


def clear_stats() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_villagestat")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registry_villagestat")


def api_latency(results: dict, requests: int = 200) -> None:
    """The village list API, in process (Django test client): latency and queries/request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Grant, User
    from core.roles import Role

    user, _ = User.objects.get_or_create(username="bench")
    Grant.objects.get_or_create(user=user, role=Role.AUDITOR)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    queries = {}
    for size in (10, 50, 200, 500):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/villages/?page_size={size}&region=3304")
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()["results"]) == size
        queries[size] = len(captured)
    results["api_queries_by_page_size"] = queries
    for label, url in (
        ("api_list_p50_p99_ms", "/api/v1/villages/?page_size=50"),
        ("api_region_filter_p50_p99_ms", "/api/v1/villages/?page_size=50&region=330482&page=2"),
        ("api_search_p50_p99_ms", "/api/v1/villages/?page_size=50&q=山"),
        ("api_weak_filter_p50_p99_ms", "/api/v1/villages/?page_size=50&weak_in=2022"),
    ):
        client.get(url)  # warm up
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        p50, p99 = percentiles(samples)
        results[label] = [round(p50, 2), round(p99, 2)]


def main(engine: str) -> dict:
    url = PG_URL if engine == "postgres" else f"sqlite:///{OUT / 'bench-stats.sqlite3'}"
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(url)

    from audit.context import change_context
    from core.actors import SYSTEM
    from registry.models import Village, VillageStat, WeakVillageThreshold
    from registry.services.divisions import load_divisions
    from registry.services.stats_io import import_stats

    results: dict = {"engine": engine}
    with change_context(user=SYSTEM, source="cli", path="bench"):
        with timed(results, "load_divisions_s"):
            load_divisions(["33"], actor=SYSTEM)
        villages = list(Village.objects.order_by("code").values_list("code", "short_name"))
        path = OUT / "zhejiang-stats-10y.xlsx"
        if not path.exists():
            with timed(results, "generate_xlsx_s"):
                generate_xlsx(villages, path)
        results["rows"] = len(villages) * len(YEARS)

        with timed(results, "baseline_s"):
            written = baseline(path)
        assert written == results["rows"]
        clear_stats()

        with timed(results, "import_s"):
            outcome = import_stats(path, actor=SYSTEM)
        assert not outcome.errors, outcome.errors[:3]
        assert outcome.created == results["rows"], outcome
        assert VillageStat.objects.count() == results["rows"]
        with timed(results, "reimport_unchanged_s"):
            again = import_stats(path, actor=SYSTEM)
        assert again.unchanged == results["rows"] and again.created == again.updated == 0

        WeakVillageThreshold.objects.create(
            name="bench line",
            region_id="33",
            valid_from=2013,
            total_income_below=20_000_000,
            operating_income_below=10_000_000,
        )
    results["ratio_import_to_baseline"] = round(results["import_s"] / results["baseline_s"], 2)
    print(
        json.dumps(results), file=sys.stderr, flush=True
    )  # the import figures, even if the API part fails
    results["baseline_rows_per_s"] = round(results["rows"] / results["baseline_s"])
    results["import_rows_per_s"] = round(results["rows"] / results["import_s"])
    api_latency(results)
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
