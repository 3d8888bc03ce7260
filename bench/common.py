"""Shared benchmark plumbing: one process per database, fresh schema, timing helpers."""

from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
PG_URL = os.getenv("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/baotuan_bench")


def setup_django(database_url: str) -> None:
    """Point Django at `database_url`, recreate the schema from the migrations."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"  # the in-process client
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baotuan.settings")
    if database_url.startswith("postgres"):
        import dj_database_url
        import psycopg

        cfg = dj_database_url.parse(database_url)
        with psycopg.connect(
            host=cfg["HOST"],
            port=cfg["PORT"] or 5432,
            user=cfg["USER"],
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    else:
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextmanager
def timed(results: dict, key: str):
    started = time.perf_counter()
    yield
    results[key] = time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return p50, p99
