"""Ledger benchmark: posting throughput and balances from snapshots at distribution scale.

Run once per database, in its own process (prints one JSON line):
    python -m bench.ledger_balances sqlite|postgres

One organisation with 20,000 holder accounts and one pool account; 120 monthly
distributions (2014-01 … 2023-12, each dated the 15th), every one a single entry of
20,001 postings: the pool debited, each holder credited. 2,400,120 postings in all.

(a) Posting. Baseline: the same entry rows written by the ORM and the same posting rows by
    `core.db.bulk_insert`, one transaction per entry, no validation or change log.
    The tables are then emptied and the same 120 entries are posted with `post_entry`
    (validated, idempotency-keyed, change-logged, and on PostgreSQL checked by the
    COMMIT-time balance trigger, which the baseline's rows go through as well).
    ratio_post_to_baseline = post_entry rows/s ÷ baseline rows/s; goal ≥ 0.5.
(b) Balances. Months 1…119 are locked (snapshots written set-based, one INSERT … SELECT a
    month). Then `balances(as_of=2023-12-20, accounts=<the 20,000 holders>)` against the
    plain SUM over every posting (one GROUP BY over 2.4 million rows); median of runs.
    ratio_balances_to_raw_sum = balances time ÷ raw time; goal ≤ 0.25.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date

from bench.common import OUT, PG_URL, setup_django, timed

HOLDERS = 20_000
MONTHS = 120
FIRST_YEAR = 2014
RUNS = 5


def months() -> list[date]:
    return [date(FIRST_YEAR + i // 12, i % 12 + 1, 15) for i in range(MONTHS)]


def amounts(month: int) -> list[int]:
    """Deterministic holder shares in fen (¥1.00 … ¥10.99), different every month."""
    return [100 + (holder * 7919 + month * 104_729) % 1000 for holder in range(HOLDERS)]


def chart():
    from core.actors import SYSTEM
    from ledger.choices import AccountKind
    from ledger.models import Account
    from ledger.services import get_account
    from registry.choices import OrganisationKind
    from registry.models import Organisation

    company = Organisation.objects.create(
        name="bench joint company", kind=OrganisationKind.JOINT_INVESTMENT
    )
    pool = get_account(kind=AccountKind.INCOME, organisation=company, actor=SYSTEM)
    # Created in bulk (the accounts are not what is measured); pks are then contiguous.
    Account.objects.bulk_create(
        Account(kind=AccountKind.DISTRIBUTION_PAYABLE, organisation=company, name=f"H{i:05d}")
        for i in range(HOLDERS)
    )
    holders = list(
        Account.objects.filter(kind=AccountKind.DISTRIBUTION_PAYABLE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return pool.pk, holders


def lines_for(month: int, pool: int, holders: list[int]) -> list[tuple[int, int]]:
    shares = amounts(month)
    return [(pool, sum(shares)), *((pk, -fen) for pk, fen in zip(holders, shares, strict=True))]


def baseline(pool: int, holders: list[int]) -> int:
    """The fastest honest write: an entry row, then its postings by COPY / executemany."""
    from django.db import transaction

    from core.db import bulk_insert
    from ledger.models import JournalEntry, Posting

    written = 0
    for month, day in enumerate(months()):
        with transaction.atomic():
            entry = JournalEntry.objects.create(date=day, description=f"Baseline {day:%Y-%m}")
            written += bulk_insert(
                Posting,
                ["entry_id", "account_id", "amount", "currency"],
                ((entry.pk, pk, fen, "CNY") for pk, fen in lines_for(month, pool, holders)),
            )
    return written


def clear_ledger() -> None:
    """Empty the entries and postings, as fresh as the baseline found them.

    PostgreSQL: TRUNCATE (the DELETE trigger refuses; TRUNCATE gives new files).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: other apps (ventures) refer to entries; their tables are empty here.
            cursor.execute("TRUNCATE ledger_posting, ledger_journalentry CASCADE")
            cursor.execute("VACUUM ANALYZE ledger_posting")
        else:
            cursor.execute("DELETE FROM ledger_posting")
            cursor.execute("DELETE FROM ledger_journalentry")
            # Rebuild the file: inserting into 2.4 million freed pages is slower than into
            # a fresh file, which is what the baseline had.
            cursor.execute("VACUUM")


def post_all(pool: int, holders: list[int]) -> int:
    from core.actors import SYSTEM
    from ledger.services import post_entry

    written = 0
    for month, day in enumerate(months()):
        lines = lines_for(month, pool, holders)
        post_entry(
            date=day,
            description=f"Distribution {day:%Y-%m}",
            lines=lines,
            idempotency_key=f"bench-distribution-{day:%Y-%m}",
            source=f"bench.distribution:{month + 1}",
            actor=SYSTEM,
        )
        written += len(lines)
    return written


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def raw_sum(as_of: date) -> dict[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.account_id, SUM(p.amount) FROM ledger_posting p "
            "JOIN ledger_journalentry e ON e.id = p.entry_id "
            "WHERE e.date <= %s GROUP BY p.account_id",
            [connection.ops.adapt_datefield_value(as_of)],
        )
        return {account: int(total) for account, total in cursor.fetchall()}


def median_ms(function, runs: int = RUNS) -> tuple[float, object]:
    function()  # warm up (and the result to compare)
    samples = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1), result


def main(engine: str) -> dict:
    url = PG_URL if engine == "postgres" else f"sqlite:///{OUT / 'bench-ledger.sqlite3'}"
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(url)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.context import change_context
    from core.actors import SYSTEM
    from ledger.selectors import balances, check_ledger
    from ledger.services import lock_period

    results: dict = {"engine": engine, "holders": HOLDERS, "entries": MONTHS}
    with change_context(source="cli", path="bench"):
        pool, holders = chart()

        with timed(results, "baseline_s"):
            rows = baseline(pool, holders)
        results["postings"] = rows
        clear_ledger()
        with timed(results, "post_entry_s"):
            posted = post_all(pool, holders)
        assert posted == rows
        analyze()

        with timed(results, "lock_119_months_s"):
            for day in months()[:-1]:
                lock_period(day.year, day.month, actor=SYSTEM)
        analyze()

    as_of = date(FIRST_YEAR + (MONTHS - 1) // 12, (MONTHS - 1) % 12 + 1, 20)
    with CaptureQueriesContext(connection) as queries:
        balances(as_of=as_of, accounts=holders)
    results["balances_queries"] = len(queries)
    results["balances_ms"], fast = median_ms(lambda: balances(as_of=as_of, accounts=holders))
    results["raw_sum_ms"], slow = median_ms(lambda: raw_sum(as_of))
    assert fast == {pk: slow[pk] for pk in holders}, "balances differ from the plain sum"

    with timed(results, "check_ledger_s"):
        problems = check_ledger()
    assert problems == [], problems[:5]

    results["baseline_rows_per_s"] = round(rows / results["baseline_s"])
    results["post_entry_rows_per_s"] = round(rows / results["post_entry_s"])
    results["ratio_post_to_baseline"] = round(
        results["post_entry_rows_per_s"] / results["baseline_rows_per_s"], 2
    )
    results["ratio_balances_to_raw_sum"] = round(results["balances_ms"] / results["raw_sum_ms"], 3)
    for key in ("baseline_s", "post_entry_s", "lock_119_months_s", "check_ledger_s"):
        results[key] = round(results[key], 2)
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
