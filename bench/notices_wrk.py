"""Issue 10 benchmark (11): the public notices (公示) under load, against the showcase in the
same run, served by gunicorn and loaded by wrk.

    python -m bench.notices_wrk sqlite|postgres [--quick]

1. A fresh database (SQLite file var/bench/notices.sqlite3, or BENCH_NOTICES_PG_URL, default
   baotuan_bench_notices, dropped at the end) with the Pinghu demo (`load_demo`: the
   showcase's rankings, and the published notices of the enclave park's 265 villages and of
   山塘村), plus EXTRA_NOTICES more published runs of a small venture, so that the list has
   more than one page.
2. gunicorn (2 sync workers, DEBUG=false, bench.settings_bench: the real settings without
   request rates; the default per-process cache, as `make demo` without REDIS_URL;
   persistent DB connections).
3. wrk from 127.0.0.1 (2 threads, 16 connections, 10 s per URL, 3 s with --quick) after a
   2 s warm-up, anonymous, against /showcase/, /ventures/notices/ and /api/v1/notices/.

Goal (issue 10): the notice list page and the notice API each answer at least 0.5× the
showcase's requests per second. Prints one JSON line.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import time

from bench import dashboard_load
from bench.common import OUT, setup_django
from bench.dashboard_load import (
    WRK,
    _free_port,
    drop_database,
    fetch,
    run_python_load,
    run_wrk,
    start_gunicorn,
    warm,
)

PG_URL = os.getenv(
    "BENCH_NOTICES_PG_URL", "postgres://postgres@127.0.0.1:5432/baotuan_bench_notices"
)
SQLITE_PATH = OUT / "notices.sqlite3"
CONNECTIONS = 16
EXTRA_NOTICES = 55  # monthly runs 2022-01 … 2026-07 (the demo locks the books through 2021)
TARGETS = [
    ("showcase", "/showcase/"),
    ("notice_list", "/ventures/notices/"),
    ("notice_api", "/api/v1/notices/"),
]


def load_data() -> dict:
    """The demo, then EXTRA_NOTICES published runs of a 3-village venture."""
    import datetime as dt

    from django.core.management import call_command

    from accounts.models import Grant, User
    from audit.context import change_context
    from core.actors import SYSTEM
    from core.roles import Role
    from registry.choices import OrganisationKind
    from registry.models import Organisation, Village
    from ventures import services
    from ventures.choices import DistributionPolicy, VentureKind
    from ventures.models import PublicNotice, Venture

    started = time.perf_counter()
    call_command("load_demo", stdout=io.StringIO())
    demo_s = time.perf_counter() - started
    with change_context(user=SYSTEM, source="cli", path="bench"):
        company = Organisation.objects.create(
            name="bench 强村公司", kind=OrganisationKind.JOINT_INVESTMENT, region_id="330482"
        )
        finance = User.objects.create_user("bench-finance", password="bench-notices-2026")
        approver = User.objects.create_user("bench-approver", password="bench-notices-2026")
        Grant.objects.create(user=finance, role=Role.FINANCE, organisation=company)
        Grant.objects.create(user=approver, role=Role.APPROVER, organisation=company)
        venture = Venture.objects.create(
            name="bench 村级联合项目",
            kind=VentureKind.VILLAGE_COMPANY,
            organisation=company,
            started_on=dt.date(2022, 1, 1),
            notice_contact="bench office 0000",
        )
        villages = list(
            Village.objects.filter(code__startswith="330482")
            .order_by("code")
            .values_list("code", flat=True)[:3]
        )
        for code in villages:
            services.add_stake(
                venture,
                holder=f"village:{code}",
                units=100,
                effective_from=dt.date(2022, 1, 1),
                actor=finance,
            )
        for month in range(EXTRA_NOTICES):
            year, index = divmod(month, 12)
            start = dt.date(2022 + year, index + 1, 1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            services.record_income(venture, amount=300_000, received_on=end, actor=finance)
            run = services.prepare_run(
                venture,
                period_start=start,
                period_end=end,
                policy=DistributionPolicy.EQUAL,
                actor=finance,
            ).run
            services.approve_run(run, actor=approver)
            services.post_run(run, actor=finance, date=end)
            services.publish_run(run, actor=approver)
    return {
        "demo_load_s": round(demo_s, 1),
        "setup_s": round(time.perf_counter() - started, 1),
        "notices": PublicNotice.objects.count(),
    }


def main(engine: str, quick: bool = False) -> dict:
    seconds = 3 if quick else 10
    OUT.mkdir(parents=True, exist_ok=True)
    url = PG_URL if engine == "postgres" else f"sqlite:///{SQLITE_PATH}"
    os.environ.pop("REDIS_URL", None)  # the default per-process cache, as the demo
    setup_django(url)
    dashboard_load.CONNECTIONS = CONNECTIONS  # wrk's and the fallback's connections
    results: dict = {
        "engine": engine,
        "workers": dashboard_load.WORKERS,
        "connections": CONNECTIONS,
        "seconds_per_url": seconds,
    }
    proc = None
    try:
        results |= load_data()
        if WRK:
            results["load_tool"] = "wrk"
            load = run_wrk
        else:
            print(
                "wrk not found: install it with `apt-get install wrk`; falling back to a "
                "Python keep-alive client (its own overhead is in the figures)",
                file=sys.stderr,
            )
            results["load_tool"] = "python"
            load = run_python_load
        from django.db import connections

        connections.close_all()
        bare = OUT / "notices-bare.html"
        bare.write_bytes(b"")
        port = _free_port()
        proc = start_gunicorn(port, bare)
        for name, path in TARGETS:
            status, body = fetch(port, path)
            assert status == 200, (path, status, body[:300])
            results[f"{name}_bytes"] = len(body)
            warm(port, path, None)
            results[name] = load(port, path, seconds, None)
            print(name, results[name], file=sys.stderr, flush=True)
        showcase = results["showcase"]["rps"]
        for name in ("notice_list", "notice_api"):
            ratio = results[name]["rps"] / showcase
            results[f"{name}_to_showcase_rps"] = round(ratio, 2)
        results["goal_met"] = all(
            results[f"{n}_to_showcase_rps"] >= 0.5 for n in ("notice_list", "notice_api")
        )
        results["non_2xx"] = sum(results[n]["non_2xx"] for n, _p in TARGETS)
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if engine == "postgres":
            drop_database(PG_URL)
    return results


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--quick"]
    print(
        json.dumps(
            main(args[0] if args else "sqlite", quick="--quick" in sys.argv), ensure_ascii=False
        )
    )
