"""Issue 11 benchmark: the nation on PostgreSQL (620,573 village-level units × 10 years).

    python -m bench.nation postgres [--part import|indicators] [--quick]

The national database (BENCH_NATION_URL, default baotuan_nation on the primary) is made
once and reused: its divisions are loaded by `load_divisions` when missing (timed), and a
seeded national CSV (6,205,730 rows, the template's columns) is written once under
var/bench/. It is big: drop it when done (`DROP DATABASE baotuan_nation`).

import      Baseline: the CSV read by the csv module, money converted by float, the rows
            COPYed into the statistics table, no validation, no change log. Measured:
            `import_stats` of the same file (streamed a chunk at a time, validated,
            change-logged) into the emptied table, in a child process whose peak memory
            (ru_maxrss) is reported. Goal: ≤ 2× the baseline, peak < 4 GiB.
indicators  `analytics.selectors.indicators` cold (cache cleared, the database's own caches
            warm) for the whole country, a province and a county, and warm p99 through the
            cache; with DATABASE_REPLICA_URL too when BENCH_REPLICA_URL is set.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

import numpy as np

from bench.common import OUT, ROOT, percentiles

NATION_URL = os.getenv("BENCH_NATION_URL", "postgres://postgres@127.0.0.1:5432/baotuan_nation")
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
CSV_PATH = OUT / "nation-stats-10y.csv"


def setup(url: str = NATION_URL) -> dict:
    """Django on the national database; create it, migrate and load the divisions if needed."""
    import dj_database_url
    import psycopg

    results: dict = {}
    cfg = dj_database_url.parse(url)
    with psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    os.environ["DATABASE_URL"] = url
    if os.getenv("BENCH_REPLICA_URL"):
        os.environ["DATABASE_REPLICA_URL"] = os.environ["BENCH_REPLICA_URL"]
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baotuan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from audit.context import change_context
    from core.actors import SYSTEM
    from registry.models import Village
    from registry.selectors import read_divisions  # noqa: F401  (the data the loader reads)
    from registry.services.divisions import load_divisions

    if Village.objects.count() < 620_573:
        provinces = [row.split(",")[0] for row in _province_rows()]
        with change_context(user=SYSTEM, source="cli", path="bench"):
            started = time.perf_counter()
            load_divisions(provinces, actor=SYSTEM)
            results["load_divisions_s"] = round(time.perf_counter() - started, 1)
    results["villages"] = Village.objects.count()
    return results


def _province_rows() -> list[str]:
    import gzip

    from registry.selectors import DIVISIONS_DIR

    with gzip.open(DIVISIONS_DIR / "provinces.csv.gz", "rt", encoding="utf-8") as f:
        return f.read().splitlines()[1:]


def generate_csv(path=CSV_PATH, seed: int = 20221231) -> int:
    """The seeded national file: every village-level unit × 10 years, money in 元."""
    from registry.models import Village

    villages = list(Village.objects.order_by("code").values_list("code", "short_name"))
    rng = np.random.default_rng(seed)
    n = len(villages) * len(YEARS)
    total = np.round(rng.lognormal(np.log(800_000), 1.0, n), 2)
    operating = np.round(total * rng.uniform(0.2, 0.9, n), 2)
    recurring = np.round(np.minimum(total, operating * rng.uniform(1.0, 1.3, n)), 2)
    population = rng.integers(300, 6000, n)
    households = (population / rng.uniform(2.5, 3.5, n)).astype(int) + 1
    per_capita = np.round(rng.normal(38_000, 8_000, n).clip(8_000), 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    i = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADERS) + "\r\n")
        for code, name in villages:
            lines = []
            for year in YEARS:
                lines.append(
                    f"{code},{name},{year},{total[i]:.2f},{operating[i]:.2f},{recurring[i]:.2f},"
                    f"{population[i]},{households[i]},{per_capita[i]:.2f}\r\n"
                )
                i += 1
            f.write("".join(lines))
    return i


FIELDS = [
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


def baseline(path=CSV_PATH) -> int:
    """The raw COPY of the same rows: csv module, float money, no validation or log."""
    from django.db import transaction

    from core.db import bulk_insert
    from registry.models import VillageStat

    with open(path, encoding="utf-8", newline="") as f, transaction.atomic():
        rows = csv.reader(f)
        next(rows)
        return bulk_insert(
            VillageStat,
            FIELDS,
            (
                (
                    r[0],
                    int(r[2]),
                    round(float(r[3]) * 100),
                    round(float(r[4]) * 100),
                    round(float(r[5]) * 100),
                    int(r[6]),
                    int(r[7]),
                    round(float(r[8]) * 100),
                    False,
                )
                for r in rows
            ),
        )


def clear_stats() -> None:
    """Empty the statistics and their change-log rows (a benchmark database only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_villagestat, audit_objectchange")
        cursor.execute("VACUUM ANALYZE registry_villagestat")
        cursor.execute("VACUUM ANALYZE audit_objectchange")


def child_import() -> None:
    """Run in its own process: the import, its time and its peak memory."""
    setup()
    from audit.context import change_context
    from core.actors import SYSTEM
    from registry.services.stats_io import import_stats

    started = time.perf_counter()
    with change_context(user=SYSTEM, source="cli", path="bench"):
        result = import_stats(CSV_PATH, actor=SYSTEM)
    elapsed = time.perf_counter() - started
    assert result.ok, result.errors[:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "import_s": round(elapsed, 1),
                "created": result.created,
                "peak_mib": round(peak / 1024),
            }
        )
    )


def part_import(results: dict) -> None:
    from registry.models import VillageStat

    if not CSV_PATH.exists():
        started = time.perf_counter()
        results["csv_rows"] = generate_csv()
        results["generate_csv_s"] = round(time.perf_counter() - started, 1)
    results["csv_mib"] = round(CSV_PATH.stat().st_size / 2**20)
    clear_stats()
    started = time.perf_counter()
    rows = baseline()
    results["baseline_copy_s"] = round(time.perf_counter() - started, 1)
    results["rows"] = rows
    clear_stats()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.nation", "_import"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit("import failed")
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    assert child["created"] == rows
    results["import_s"] = child["import_s"]
    results["import_peak_mib"] = child["peak_mib"]
    results["ratio_import_to_copy"] = round(child["import_s"] / results["baseline_copy_s"], 2)
    assert VillageStat.objects.count() == rows
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE registry_villagestat")


def _indicator_times(results: dict, label: str, regions: dict[str, str], warm: int) -> None:
    from django.core.cache import cache

    from analytics import selectors

    for name, code in regions.items():
        cold = []
        for _ in range(3):
            cache.clear()
            started = time.perf_counter()
            selectors.cached(selectors.indicators, code, None)
            cold.append(time.perf_counter() - started)
        samples = []
        for _ in range(warm):
            started = time.perf_counter()
            selectors.cached(selectors.indicators, code, None)
            samples.append(time.perf_counter() - started)
        _p50, p99 = percentiles(samples)
        results[f"{label}{name}_cold_ms"] = round(min(cold) * 1000)
        results[f"{label}{name}_warm_p99_ms"] = round(p99 * 1000, 1)


REGIONS = {"country": "00", "province_37": "37", "county_330482": "330482"}


def part_indicators(results: dict, quick: bool) -> None:
    """On the primary, and (DATABASE_REPLICA_URL set: BENCH_REPLICA_URL) on the replica
    through `core.db_router.replica_reads`, as a dashboard request reads it."""
    from core.db_router import replica_configured, replica_reads

    warm = 50 if quick else 200
    _indicator_times(results, "", REGIONS, warm)
    if replica_configured():
        with replica_reads():
            _indicator_times(results, "replica_", REGIONS, warm)


WEB_URL = os.getenv(
    "BENCH_NATION_WEB_URL", "postgres://postgres@127.0.0.1:5432/baotuan_bench_nation2"
)


def part_web(results: dict) -> None:
    """The province file (255,470 rows, bench/stats_import.py) through the upload page and a
    real Celery worker (`celery -A baotuan worker`, the embedded filesystem broker), against
    `import_stats` on the command line (`manage.py import_stats FILE`, its own process), in a
    small database of its own (the Zhejiang divisions), each into an emptied table."""
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Grant, User
    from audit.context import change_context
    from bench.stats_import import clear_stats as empty_stats
    from bench.stats_import import generate_xlsx
    from core.actors import SYSTEM
    from core.roles import Role
    from registry.models import ImportJob, Village, VillageStat
    from registry.services.divisions import load_divisions

    with change_context(user=SYSTEM, source="cli", path="bench"):
        load_divisions(["33"], actor=SYSTEM)
    path = OUT / "zhejiang-stats-10y.xlsx"
    if not path.exists():
        generate_xlsx(
            list(Village.objects.order_by("code").values_list("code", "short_name")), path
        )
    rows = Village.objects.count() * len(YEARS)
    env = {**os.environ, "DATABASE_URL": WEB_URL, "DJANGO_SETTINGS_MODULE": "baotuan.settings"}
    env.pop("REDIS_URL", None)

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_stats", str(path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    results["web_cli_import_s"] = round(time.perf_counter() - started, 1)
    assert VillageStat.objects.count() == rows
    empty_stats()

    user = User.objects.create_user("bench-admin", password="bench-web-2022")
    Grant.objects.create(user=user, role=Role.CITY_ADMIN)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "baotuan",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(8)  # the worker up and polling before the clock starts
        started = time.perf_counter()
        with open(path, "rb") as f:
            response = client.post(reverse("registry:stats_import"), {"file": f})
        assert response.status_code == 302, response.content[:500]
        job = ImportJob.objects.latest("pk")
        while True:
            job.refresh_from_db()
            if job.status in ("succeeded", "failed"):
                break
            time.sleep(0.2)
        results["web_worker_import_s"] = round(time.perf_counter() - started, 1)
        assert job.status == "succeeded", job.errors[:3]
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)
    assert VillageStat.objects.count() == rows
    results["web_rows"] = rows
    results["ratio_web_to_cli"] = round(
        results["web_worker_import_s"] / results["web_cli_import_s"], 2
    )


REDIS_BENCH_URL = os.getenv("BENCH_NATION_REDIS_URL", "redis://127.0.0.1:6379/11")


def part_wrk(results: dict, quick: bool) -> None:
    """gunicorn app servers (1 sync worker each, the shared Redis cache, a Celery worker
    beside them) on the national database, loaded by wrk from loopback (2 threads, 4
    connections per server): the showcase and the indicators API of a province, with one
    server and with two (two wrk runs at once, one per server; RPS summed)."""
    from django.test import Client

    from accounts.models import Grant, User
    from bench.dashboard_load import WRK, _free_port, fetch
    from core.roles import Role

    if not WRK:
        results["wrk"] = "skipped: wrk not installed"
        return
    seconds = 5 if quick else 10
    bare = OUT / "nation-bare.html"
    bare.write_bytes(b"")
    user = User.objects.filter(username="bench-auditor").first()
    if user is None:
        user = User.objects.create_user("bench-auditor", password="bench-load-2022")
        Grant.objects.create(user=user, role=Role.AUDITOR)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.cookies["sessionid"].value
    env = {
        **os.environ,
        "DATABASE_URL": NATION_URL,
        # The real settings without request rates (wrk is one client at one address).
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "BENCH_BARE_FILE": str(bare),
        "DEBUG": "false",
        "DB_CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_BENCH_URL,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_REQUESTS": "false",
    }
    procs = []

    def start(args: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        procs.append(proc)
        return proc

    def server() -> int:
        port = _free_port()
        start(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "baotuan.wsgi:application",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ]
        )
        for _ in range(150):
            try:
                fetch(port, "/healthz")
                return port
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def load(ports: list[int], path: str, cookie: str | None) -> dict:
        cmd = [WRK, "-t2", "-c4", f"-d{seconds}s", "--latency"]
        if cookie:
            cmd += ["-H", f"Cookie: sessionid={cookie}"]
        runs = [
            subprocess.Popen(
                [*cmd, f"http://127.0.0.1:{p}{path}"], stdout=subprocess.PIPE, text=True
            )
            for p in ports
        ]
        outs = [r.communicate()[0] for r in runs]
        rps = sum(float(re.search(r"Requests/sec:\s+([\d.]+)", o).group(1)) for o in outs)
        bad = sum(
            int(m.group(1)) for o in outs if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", o))
        )
        return {"rps": round(rps, 1), "non_2xx": bad}

    targets = [
        ("showcase", "/showcase/", None),
        ("indicators_37", "/api/v1/indicators/?region=37", session),
    ]
    try:
        start(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "baotuan",
                "worker",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
            ]
        )
        first = server()
        for _name, path, cookie in targets:  # computed once, then in the shared cache
            status, body = fetch(first, path, cookie)
            assert status == 200, (path, status, body[:300])
        for name, path, cookie in targets:
            results[f"wrk_{name}_1_server"] = load([first], path, cookie)
        second = server()
        for name, path, cookie in targets:
            fetch(second, path, cookie)
            results[f"wrk_{name}_2_servers"] = load([first, second], path, cookie)
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)


def main(argv: list[str]) -> dict:
    if argv and argv[0] == "_import":
        child_import()
        raise SystemExit(0)
    quick = "--quick" in argv
    part = argv[argv.index("--part") + 1] if "--part" in argv else None
    results: dict = {"engine": "postgres"}
    if part == "web":
        from bench.common import setup_django

        setup_django(WEB_URL)
        part_web(results)
        return results
    results.update(setup())
    if part in (None, "import"):
        part_import(results)
        print(json.dumps(results), file=sys.stderr, flush=True)
    if part in (None, "indicators"):
        part_indicators(results, quick)
    if part in (None, "wrk"):
        part_wrk(results, quick)
    if part is None:  # another database: its own process
        proc = subprocess.run(
            [sys.executable, "-m", "bench.nation", "--part", "web"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        results.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "postgres"]
    print(json.dumps(main(args), ensure_ascii=False))
