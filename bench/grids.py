"""Issue 12 benchmark: households with sealed personal data at province scale.

Run by `make bench` (bench/run.py), once per database, in its own process:
    python -m bench.grids sqlite|postgres [--quick] [--full] [--reps N]

Zhejiang has about 85,000 grids and 450,000 micro-grids. The generator keeps those shares:
per village 3.33 grids of 5.3 micro-grids, 39 households of 3 people (the full tier: 25,547
villages → 85,000 grids, 450,000 micro-grids, 1,000,000 households, 3,000,000 people; the
default tier 1/10 of the villages; --quick 1/100).

1. Grids and micro-grids are written by the raw bulk path (set-up, not measured).
2. Baseline: the raw bulk write of the households and people — the very rows the import
   writes, sealed values and blind indexes computed beforehand — in one transaction.
3. Measured: `grids.services.import_households` of household csv files of 256 villages
   each (about a county's households; each row names its village), validated, ID numbers
   checked, sealed with AES-GCM, indexed, change-logged, one transaction per file, into an
   empty table.
   Ratio = median measured / median baseline over `--reps` rounds (2; the full tier 1),
   baseline and import in turns; goal ≤ 3.
4. Finding a person by ID number (the blind index): its plan (EXPLAIN) and query count, then
   p50/p99 over 2,000 lookups, twice; goal p99 < 10 ms.
5. After ANALYZE (what autovacuum does after a bulk load), a grid page and a village's
   household list through the test client as the village's clerk:
   p50/p99 over 50 requests, three rounds, and SQL queries per page at two sizes (must be
   equal); goal p99 < 100 ms.
"""

from __future__ import annotations

import io
import json
import random
import statistics
import sys
import time

from bench.common import PG_URL, ROOT, percentiles, setup_django, timed

GRIDS_PER_VILLAGE = 85_000 / 25_547
MICRO_PER_GRID = 450_000 / 85_000
HOUSEHOLDS_PER_VILLAGE = 39  # ≈ 1,000,000 / 25,547
SURNAMES = "徐沈陆张王李陈顾朱金钱周吴姚蒋郁潘"
USED_IDS: set[str] = set()
GIVEN = ["建国", "秀英", "志明", "桂芳", "海林", "美华", "卫东", "玉兰", "小龙", "雪芬"]


def _id(rng: random.Random, region: str, year: int, seq: int) -> str:
    from lib.idcard import check_digit

    first = f"{region}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{seq:03d}"
    return first + check_digit(first)


HEADER = (
    "户号,村民小组,姓名,性别,出生年份,与户主关系,身份证号,手机号,党员,股东,股份数,微网格,村代码\n"
)
# Villages per household file: about a county's households (≈ 10,000 households, 30,000
# people; Zhejiang has 90 counties for 1,000,000 households).
VILLAGES_PER_FILE = 256


def village_file(rng, village_code: str, start: int, micro_names: list[str]) -> tuple[str, list]:
    """One village's lines of a household csv (one per person, naming the village) and its
    rows as tuples."""
    out = io.StringIO()
    rows = []
    region = village_code[:6]
    for n in range(1, HOUSEHOLDS_PER_VILLAGE + 1):
        micro = micro_names[n % len(micro_names)]
        year = rng.randint(1950, 1985)
        for k, (relation, label) in enumerate(
            (("head", "户主"), ("spouse", "配偶"), ("child", "子女"))
        ):
            born = year + (0, 2, 25)[k]
            seq = (start + n * 3 + k) % 1000
            number = _id(rng, region, born, seq)
            while number in USED_IDS:  # fictitious, and unique like real ones
                number = _id(rng, region, born, rng.randint(0, 999))
            USED_IDS.add(number)
            gender = "男" if int(number[16]) % 2 else "女"
            phone = f"13{rng.randint(0, 999_999_999):09d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            out.write(
                f"{n:03d},一组,{name},{gender},{born},{label},{number},{phone},否,"
                f"{'是' if k == 0 else '否'},{1 if k == 0 else 0},{micro},{village_code}\n"
            )
            rows.append(
                (
                    f"{n:03d}",
                    name,
                    "M" if gender == "男" else "F",
                    born,
                    relation,
                    number,
                    phone,
                    micro,
                )
            )
    return out.getvalue(), rows


def household_files(files: dict[str, tuple[str, list]]) -> list[bytes]:
    """The villages' lines in files of `VILLAGES_PER_FILE` villages (in code order)."""
    codes = sorted(files)
    return [
        (HEADER + "".join(files[c][0] for c in codes[i : i + VILLAGES_PER_FILE])).encode(
            "utf-8-sig"
        )
        for i in range(0, len(codes), VILLAGES_PER_FILE)
    ]


def build_grids(villages: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Grids and micro-grids for every village by the raw bulk path; {village: [(micro pk,
    name)]}."""
    from django.db import transaction

    from core.db import bulk_insert
    from grids.models import Grid, MicroGrid

    rng = random.Random(85000)
    with transaction.atomic():
        grid_rows, plan = [], []
        for code in villages:
            count = int(GRIDS_PER_VILLAGE) + (rng.random() < GRIDS_PER_VILLAGE % 1)
            for g in range(count):
                grid_rows.append((code, None, f"第{g + 1}网格"))
                plan.append(code)
        bulk_insert(Grid, ["village_id", "partner_village_id", "name"], grid_rows)
        grid_ids = list(Grid.objects.order_by("pk").values_list("pk", "village_id"))
        micro_rows = []
        for pk, code in grid_ids:
            count = int(MICRO_PER_GRID) + (rng.random() < MICRO_PER_GRID % 1)
            for m in range(count):
                micro_rows.append((pk, f"{pk}-{m + 1}微网格", code))
        bulk_insert(MicroGrid, ["grid_id", "name", "side_id"], micro_rows)
    micro: dict[str, list[tuple[int, str]]] = {}
    for pk, name, code in MicroGrid.objects.values_list("pk", "name", "side_id"):
        micro.setdefault(code, []).append((pk, name))
    return micro


def raw_write(files: dict[str, tuple[bytes, list]], micro: dict) -> None:
    """The baseline: the same households and people, sealed beforehand, by the raw path."""
    from django.db import transaction

    from core.db import bulk_insert
    from core.pii import blind_index, seal
    from grids.models import Household, Person
    from lib.idcard import mask_id, mask_phone

    prepared = {}
    for code, (_data, rows) in files.items():
        names = dict((name, pk) for pk, name in micro[code])
        prepared[code] = [
            (
                *r[:5],
                seal(r[5]),
                blind_index("id", r[5]),
                mask_id(r[5]),
                seal(r[6]),
                blind_index("phone", r[6]),
                mask_phone(r[6]),
                names[r[7]],
            )
            for r in rows
        ]
    started = time.perf_counter()
    with transaction.atomic():
        households = []
        for code, rows in prepared.items():
            seen = {}
            for r in rows:
                seen.setdefault(r[0], r[-1])
            households.extend((code, number, "一组", m, False) for number, m in seen.items())
        bulk_insert(
            Household,
            ["village_id", "number", "group_name", "micro_grid_id", "is_illustrative"],
            households,
        )
        ids = {
            (v, n): pk for pk, v, n in Household.objects.values_list("pk", "village_id", "number")
        }
        bulk_insert(
            Person,
            [
                "household_id",
                "name",
                "gender",
                "birth_year",
                "relation",
                "id_sealed",
                "id_hash",
                "id_masked",
                "phone_sealed",
                "phone_hash",
                "phone_masked",
                "is_party_member",
                "is_shareholder",
                "shares",
            ],
            (
                (
                    ids[(code, r[0])],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    *r[5:11],
                    False,
                    r[4] == "head",
                    1 if r[4] == "head" else 0,
                )
                for code, rows in prepared.items()
                for r in rows
            ),
        )
    return time.perf_counter() - started


def _arg(name: str, default: int) -> int:
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return default


def _empty(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grids_person")
        cursor.execute("DELETE FROM grids_household")


def main() -> None:
    engine = sys.argv[1]
    quick, full = "--quick" in sys.argv, "--full" in sys.argv
    url = (
        PG_URL.rsplit("/", 1)[0] + "/baotuan_bench_grids"
        if engine == "postgres"
        else f"sqlite:///{ROOT / 'var' / 'bench' / 'grids.sqlite3'}"
    )
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    setup_django(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from audit.context import change_context
    from baotuan.demo import facts
    from core.actors import SYSTEM
    from core.pii import blind_index
    from core.roles import Role
    from grids import selectors, services
    from grids.models import Grid, Household, Person
    from registry.models import Village
    from registry.services.divisions import load_divisions
    from tests.support import make_user

    load_divisions([facts.PROVINCE], actor=SYSTEM)
    every = list(Village.objects.order_by("code").values_list("code", flat=True))
    step = 1 if full else 100 if quick else 10
    villages = every[::step]
    figures: dict = {"engine": engine, "villages": len(villages)}
    with change_context(user=SYSTEM, source="cli", path="bench.grids"):
        micro = build_grids(villages)
    figures["grids"] = Grid.objects.count()
    figures["micro_grids"] = sum(len(v) for v in micro.values())
    rng = random.Random(1_000_000)
    files = {
        code: village_file(rng, code, i * 200, [name for _pk, name in micro[code]])
        for i, code in enumerate(villages)
    }
    figures["households"] = len(villages) * HOUSEHOLDS_PER_VILLAGE
    figures["people"] = sum(len(rows) for _data, rows in files.values())

    by_code = {v.code: v for v in Village.objects.filter(code__in=villages)}
    sources = household_files(files)
    figures["household_files"] = len(sources)
    # The baseline and the import in turns, `reps` times (other work shares the CPU):
    # the ratio is of the medians, each round's ratio shown too.
    reps = _arg("--reps", 1 if full else 2)
    raws, imports = [], []
    for rep in range(reps):
        if rep:
            _empty(connection)
        raws.append(raw_write(files, micro))
        _empty(connection)  # raw SQL: the set-up, not measured
        results: dict = {}
        with (
            timed(results, "import"),
            change_context(user=SYSTEM, source="cli", path="bench.grids"),
        ):
            for data in sources:
                outcome = services.import_households(data, actor=SYSTEM, filename="households.csv")
                if outcome.errors:
                    raise SystemExit(f"{outcome.errors[:3]}")
        imports.append(results["import"])
    baseline, imported = statistics.median(raws), statistics.median(imports)
    figures["raw_bulk_write_s"] = [round(t, 2) for t in raws]
    figures["import_s"] = [round(t, 2) for t in imports]
    figures["import_people_per_s"] = round(figures["people"] / imported)
    figures["ratio_import_vs_raw_per_round"] = [
        round(i / r, 2) for i, r in zip(imports, raws, strict=True)
    ]
    figures["ratio_import_vs_raw"] = round(imported / baseline, 2)
    assert Person.objects.count() == figures["people"]
    # Fresh statistics for the planner, as autovacuum takes them within a minute of a bulk
    # load (without them PostgreSQL hash-joins every micro-grid for the scoped reads).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # Finding a person by ID number: the plan of its one query, and two rounds of lookups.
    sample = random.Random(7).sample([r[5] for _d, rows in files.values() for r in rows], 2_000)
    clerk = make_user("bench-admin", Role.CITY_ADMIN)
    digest = blind_index("id", sample[0])
    plan = (
        Person.objects.restrict(clerk, "view")
        .select_related("household__village")
        .filter(id_hash=digest)
        .order_by()[:1]
        .explain()
    )
    figures["find_by_id_plan"] = " | ".join(line.strip() for line in plan.splitlines())[:300]
    with CaptureQueriesContext(connection) as queries:
        selectors.find_by_id_number(clerk, sample[0])
    figures["find_by_id_queries"] = len(queries.captured_queries)
    if engine == "postgres":
        # The database's own part of a lookup (EXPLAIN ANALYZE's execution time), apart from
        # the round trip, which on a loaded machine waits for the CPU.
        server = []
        for number in sample[:200]:
            found = (
                Person.objects.restrict(clerk, "view")
                .select_related("household__village")
                .filter(id_hash=blind_index("id", number))
                .order_by()[:1]
            )
            plan = found.explain(analyze=True)
            server.append(float(plan.rsplit("Execution Time:", 1)[1].split()[0]) / 1e3)
        p50, p99 = percentiles(server)
        figures["find_by_id_server_p50_p99_ms"] = [round(p50 * 1e3, 3), round(p99 * 1e3, 3)]
    for round_ in (1, 2):
        lookups = []
        for number in sample:
            started = time.perf_counter()
            found = selectors.find_by_id_number(clerk, number)
            lookups.append(time.perf_counter() - started)
            assert found is not None
        p50, p99 = percentiles(lookups)
        figures[f"find_by_id_p50_p99_ms_round{round_}"] = [round(p50 * 1e3, 2), round(p99 * 1e3, 2)]

    # A grid page and a village's household list as the village's clerk.
    code = villages[len(villages) // 2]
    village_clerk = make_user("bench-clerk", Role.VILLAGE_CLERK, village=by_code[code])
    client = Client()
    client.force_login(village_clerk, backend="django.contrib.auth.backends.ModelBackend")
    grids = list(Grid.objects.filter(village_id=code).values_list("pk", flat=True))
    for label, url in (
        ("grid_page", f"/grids/{grids[0]}/"),
        ("household_list", f"/grids/villages/{code}/households/"),
    ):
        client.get(url)
        for round_ in (1, 2, 3):
            samples = []
            for _ in range(50):
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200
            p50, p99 = percentiles(samples)
            figures[f"{label}_p50_p99_ms_round{round_}"] = [
                round(p50 * 1e3, 1),
                round(p99 * 1e3, 1),
            ]
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        figures[f"{label}_queries"] = len(queries.captured_queries)
    # Twice the households in that village: the same number of queries.
    extra = Household.objects.filter(village_id=code).count()
    with change_context(user=SYSTEM, source="cli", path="bench.grids"):
        for n in range(extra):
            services.create_household(
                actor=SYSTEM, village=by_code[code], number=f"9{n:04d}", micro_grid=None
            )
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/grids/villages/{code}/households/")
    figures["household_list_queries_at_twice_the_size"] = len(queries.captured_queries)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
