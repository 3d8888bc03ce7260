"""Issue 14 benchmark: monthly tourism figures of 5,000 spots over 10 years (600,000 rows).

Run by `make bench` (bench/run.py), once per database, in its own process:
    python -m bench.tourism sqlite|postgres [--quick]

1. Set-up (not measured): the Zhejiang registry, and 5,000 spots, one in each of 5,000
   villages, by the raw bulk path; a seeded csv of 120 months per spot (600,000 rows;
   --quick: 500 spots, 60,000 rows) in the template's columns.
2. Baselines, same run: the raw bulk write (`core.db.bulk_insert`) of the very rows the
   import writes, built beforehand, in one transaction; the same with their change-log rows
   (`audit.services.log_bulk`, one per row: the floor of a change-logged write); and reading
   the same csv with `lib.tabular` (what any import of the file pays; collector paused as in
   the import).
3. Measured: `tourism.services.import_figures` of the csv into an empty table — every row
   typed and validated (village code and scope, spot name, month not in the future, no
   negative visitors or revenue, no key twice), written by the same bulk path in one
   transaction and change-logged row by row. Ratio = measured / baseline; goal ≤ 2 against
   the raw bulk write.
4. The same file again (every key stored: replaced by itself, nothing written).
"""

from __future__ import annotations

import io
import json
import random
import sys
import time

from bench.common import PG_URL, ROOT, setup_django, timed

YEARS = 10
ROUNDS = 2
METHODS = [("门票", "tickets"), ("闸机计数", "gate"), ("估算", "estimate")]


def build_spots(villages: list[str]) -> dict[str, int]:
    """One spot per village by the raw bulk path; {village code: spot pk}."""
    from django.db import transaction

    from core.db import bulk_insert
    from tourism.models import Spot

    with transaction.atomic():
        bulk_insert(
            Spot,
            [
                "village_id",
                "name",
                "kind",
                "latitude",
                "longitude",
                "description",
                "is_illustrative",
            ],
            ((code, "景点", "attraction", "30.70000", "121.00000", "", True) for code in villages),
        )
    return dict(Spot.objects.values_list("village_id", "pk"))


def make_file(villages: list[str], spots: dict[str, int], first_year: int):
    """The csv of every spot's 120 months, and the rows the import writes (bulk path form)."""
    rng = random.Random(14)
    out = io.StringIO()
    out.write("村代码,名称,对象,月份,游客人次,旅游收入（元）,统计方法,示例,计入村集体收入\n")
    rows = []
    months = [(y, m) for y in range(first_year, first_year + YEARS) for m in range(1, 13)]
    for code in villages:
        pk = spots[code]
        label, method = METHODS[rng.randrange(3)]
        collective = rng.random() < 0.2
        flag = "是" if collective else "否"
        for year, month in months:
            visitors = rng.randint(0, 50_000)
            fen = visitors * rng.randint(1_000, 9_000)
            out.write(
                f"{code},景点,景点,{year}-{month:02d},{visitors},{fen // 100}.{fen % 100:02d},"
                f"{label},是,{flag}\n"
            )
            rows.append(
                (code, pk, None, f"{year}-{month:02d}-01", visitors, fen, method, True, collective)
            )
    return out.getvalue().encode("utf-8"), rows


def raw_write(rows, *, logged: bool = False) -> float:
    """The raw bulk write of `rows`; `logged`: and their change-log rows (log_bulk, one per
    row, as the import writes them): the floor of any change-logged bulk write."""
    from itertools import repeat

    from django.db import transaction

    from audit.models import ObjectChange
    from audit.services import log_bulk
    from core.db import bulk_insert
    from tourism.models import MonthlyFigure
    from tourism.services import FIGURE_FIELDS

    started = time.perf_counter()
    with transaction.atomic():
        bulk_insert(MonthlyFigure, FIGURE_FIELDS, rows)
        if logged:
            pks = MonthlyFigure.objects.order_by("pk").values_list("pk", flat=True)  # all new
            log_bulk(
                MonthlyFigure,
                zip(
                    repeat(ObjectChange.Action.CREATE),
                    list(pks),
                    (f"{r[0]} {r[3][:7]}" for r in rows),
                    repeat(None),
                    map(dict, map(zip, repeat(FIGURE_FIELDS), rows)),
                    strict=False,
                ),
            )
    return time.perf_counter() - started


def _empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tourism_monthlyfigure")


def main() -> None:
    engine = sys.argv[1]
    quick = "--quick" in sys.argv
    url = (
        PG_URL.rsplit("/", 1)[0] + "/baotuan_bench_tourism"
        if engine == "postgres"
        else f"sqlite:///{ROOT / 'var' / 'bench' / 'tourism.sqlite3'}"
    )
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    setup_django(url)
    from django.utils import timezone

    from audit.context import change_context
    from baotuan.demo import facts
    from core.actors import SYSTEM
    from core.imports import gc_paused
    from lib import tabular
    from registry.models import Village
    from registry.services.divisions import load_divisions
    from tourism import services
    from tourism.models import MonthlyFigure

    load_divisions([facts.PROVINCE], actor=SYSTEM)
    every = list(Village.objects.order_by("code").values_list("code", flat=True))
    count = 500 if quick else 5_000
    villages = every[:: len(every) // count][:count]
    with change_context(user=SYSTEM, source="cli", path="bench.tourism"):
        spots = build_spots(villages)
    first_year = timezone.localdate().year - YEARS  # ten whole years, none in the future
    data, rows = make_file(villages, spots, first_year)
    figures: dict = {"engine": engine, "spots": len(villages), "rows": len(rows)}
    figures["file_mb"] = round(len(data) / 1e6, 1)

    # Two rounds of (raw write, import), each into an empty table; the best of each counts
    # (the machine is shared: a round's times move with the load, the best ones less).
    raws, imports = [], []
    for _round in range(ROUNDS):
        raws.append(raw_write(rows))
        _empty()
        started = time.perf_counter()
        with change_context(user=SYSTEM, source="cli", path="bench.tourism"):
            outcome = services.import_figures(data, actor=SYSTEM, filename="figures.csv")
        imports.append(time.perf_counter() - started)
        if outcome.errors:
            raise SystemExit(f"import refused: {outcome.errors[:3]}")
        assert outcome.created == len(rows), outcome
        assert MonthlyFigure.objects.count() == len(rows)
        if _round < ROUNDS - 1:
            _empty()
    baseline, imported = min(raws), min(imports)
    results: dict = {"import": imported}
    figures["raw_bulk_write_s"] = [round(t, 2) for t in raws]
    figures["import_s"] = [round(t, 2) for t in imports]
    with timed(results, "read"), gc_paused():  # as the import reads it
        tabular.read_table(data, filename="figures.csv")
    figures["read_csv_s"] = round(results["read"], 2)
    figures["import_rows_per_s"] = round(len(rows) / imported)
    figures["ratio_import_vs_raw_write"] = round(imported / baseline, 2)
    figures["ratio_import_vs_read_and_raw_write"] = round(
        imported / (baseline + results["read"]), 2
    )

    with (
        timed(results, "again"),
        change_context(user=SYSTEM, source="cli", path="bench.tourism"),
    ):
        again = services.import_figures(data, actor=SYSTEM, filename="figures.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows)), again
    assert MonthlyFigure.objects.count() == len(rows)
    figures["same_file_again_s"] = round(results["again"], 2)

    # The floor of a change-logged write, measured last: the change log is append-only (its
    # rows stay), so the first import ran on an empty log, as the raw write did.
    _empty()
    with change_context(user=SYSTEM, source="cli", path="bench.tourism"):
        logged = raw_write(rows, logged=True)
    figures["raw_bulk_write_with_change_log_s"] = round(logged, 2)
    figures["ratio_import_vs_raw_write_with_change_log"] = round(results["import"] / logged, 2)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
