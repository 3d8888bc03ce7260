"""check_ledger (with the distribution-run reconciliation) against bean-check, same ledger.

Run once per database, in its own process (prints one JSON line):
    python -m bench.ledger_check sqlite|postgres [--ventures N]

The ledger (built in bulk, not measured): 200 ventures, each with 10 village holders
(平湖's villages, `load_divisions(areas=["330482"])`), over ten years (2014-01 … 2023-12):
- 10 capital contributions per venture (Dr cash, Cr the holder's capital);
- 4 tenants' rent every month (Dr cash, Cr income): 480 receipts per venture;
- one distribution run every month over that month's rent, 10% to the reserve fund and the
  rest pro rata to units (`lib.money.allocate`), with its lines, posted as one entry (Dr
  income; Cr reserve, Cr each holder's payable) linked to the run as `post_run` links it
  (idempotency key "distribution-run:<pk>"); the runs are taken through approved → posted
  by set-based UPDATEs, so the database guards (migration ventures 0003) check each step.
200 × (10 + 480 + 120) = 122,000 transactions, 484,000 postings, 24,000 runs with 240,000
lines. No months are locked (no balance snapshots: bean-check would get one `balance`
assertion per account and month, check_ledger one snapshot query per month).

Measured, in the same run:
- `check_ledger` (the management command, in process): every ledger invariant plus the
  reconciliation of every posted run's lines with its entry; median of RUNS runs.
- `bean-check` on the `export_beancount` output of the same ledger (a subprocess, with
  BEANCOUNT_DISABLE_LOAD_CACHE so it neither writes nor reads its pickle cache; its
  interpreter start is included, a fraction of a second of tens). The export's own time
  is reported apart.
transactions/s = 122,000 ÷ each time; ratio = check_ledger's ÷ bean-check's; goal ≥ 50.
Both must find the ledger clean. Also the CPU time of each (check_ledger: this process's,
which on SQLite holds the database's work too; bean-check: the child's user + system);
on SQLite `ratio_cpu` is their ratio, the figure that does not move with the machine's
other load (on PostgreSQL the server's work is in other processes: wall time only).
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

from bench.common import OUT, PG_URL, setup_django, timed

VENTURES = 200
HOLDERS = 10
TENANTS = 4
MONTHS = 120
FIRST_YEAR = 2014
ORGANISATIONS = 20
RUNS = 3
CREATED = datetime(2024, 1, 1, tzinfo=UTC)


def month_bounds(month: int) -> tuple[date, date]:
    year, number = FIRST_YEAR + month // 12, month % 12 + 1
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def rent(venture: int, month: int, tenant: int) -> int:
    """Deterministic rent in fen: ¥10,000.00 … ¥19,990.00."""
    return 1_000_000 + ((venture * 31 + month * 17 + tenant * 7) % 1000) * 1000


def units(venture: int, holder: int) -> int:
    return 1 + (venture * 3 + holder * 5) % 10


def build(ventures: int) -> dict:
    """The ledger described above, in one transaction; returns its counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from core.db import adapt, bulk_insert
    from ledger.choices import AccountKind
    from ledger.models import Account, JournalEntry, Posting
    from lib.money import allocate
    from registry.choices import OrganisationKind
    from registry.models import Organisation, Village
    from ventures.choices import VentureKind
    from ventures.models import DistributionLine, DistributionRun, Venture

    user = get_user_model()
    with transaction.atomic():
        preparer = user.objects.create_user("bench-finance", password=None)
        approver = user.objects.create_user("bench-approver", password=None)
        villages = list(Village.objects.order_by("code").values_list("code", flat=True))
        companies = Organisation.objects.bulk_create(
            Organisation(name=f"bench company {i}", kind=OrganisationKind.JOINT_INVESTMENT)
            for i in range(ORGANISATIONS)
        )
        made = Venture.objects.bulk_create(
            Venture(
                name=f"bench venture {v}",
                kind=VentureKind.ENCLAVE_PARK,
                organisation=companies[v % ORGANISATIONS],
            )
            for v in range(ventures)
        )
        made = list(Venture.objects.order_by("pk"))
        holders = {
            venture.pk: [villages[(i * 7 + h) % len(villages)] for h in range(HOLDERS)]
            for i, venture in enumerate(made)
        }

        def holder_name(venture, code):
            return f"{venture.ledger_name}-Village-{code}"

        accounts = []
        for venture in made:
            org = venture.organisation_id
            for kind in (AccountKind.CASH, AccountKind.INCOME, AccountKind.RESERVE):
                accounts.append(Account(kind=kind, organisation_id=org, name=venture.ledger_name))
            for code in holders[venture.pk]:
                for kind in (AccountKind.CAPITAL, AccountKind.DISTRIBUTION_PAYABLE):
                    accounts.append(
                        Account(kind=kind, organisation_id=org, name=holder_name(venture, code))
                    )
        Account.objects.bulk_create(accounts, batch_size=5000)
        account = {
            (org, kind, name): pk
            for pk, org, kind, name in Account.objects.values_list(
                "pk", "organisation_id", "kind", "name"
            )
        }

        # Runs (prepared) and their lines first: the entries' keys name the runs.
        now = adapt(CREATED)
        run_rows, split = [], {}
        for i, venture in enumerate(made):
            weights = [units(i, h) for h in range(HOLDERS)]
            for month in range(MONTHS):
                start, end = month_bounds(month)
                total = sum(rent(i, month, t) for t in range(TENANTS))
                reserve = total // 10
                amounts = allocate(total - reserve, weights)
                split[(venture.pk, start)] = (total, reserve, amounts)
                run_rows.append(
                    (venture.pk, start, end, "pro_rata", '{"reserve_rate": "10%"}', "income",
                     total, reserve, 0, total - reserve, HOLDERS, "prepared", preparer.pk, now, "")
                )
        bulk_insert(
            DistributionRun,
            ["venture_id", "period_start", "period_end", "policy", "params", "source", "total",
             "reserve_amount", "welfare_amount", "distributed_amount", "holder_count", "status",
             "prepared_by_id", "prepared_at", "reversal_reason"],
            run_rows,
        )
        runs = {
            (venture_id, start): pk
            for pk, venture_id, start in DistributionRun.objects.values_list(
                "pk", "venture_id", "period_start"
            )
        }
        line_rows = []
        for i, venture in enumerate(made):
            for month in range(MONTHS):
                start, _end = month_bounds(month)
                run = runs[(venture.pk, start)]
                amounts = split[(venture.pk, start)][2]
                payable = (venture.organisation_id, AccountKind.DISTRIBUTION_PAYABLE)
                for h, code in enumerate(holders[venture.pk]):
                    line_rows.append(
                        (run, code, units(i, h), "units", units(i, h), amounts[h],
                         account[(*payable, holder_name(venture, code))])
                    )
        bulk_insert(
            DistributionLine,
            ["run_id", "village_id", "units", "basis", "weight", "amount", "account_id"],
            line_rows,
        )

        # The entries, in date order, and their postings.
        entries, lines = [], []
        for i, venture in enumerate(made):
            org, name = venture.organisation_id, venture.ledger_name
            cash = account[(org, AccountKind.CASH, name)]
            income = account[(org, AccountKind.INCOME, name)]
            reserve_account = account[(org, AccountKind.RESERVE, name)]
            for h, code in enumerate(holders[venture.pk]):
                amount = units(i, h) * 10_000_000
                entries.append((date(FIRST_YEAR, 1, 2), f"{name}: cash contribution", None,
                                f"ventures.venture:{venture.pk}"))
                lines.append(
                    [(cash, amount),
                     (account[(org, AccountKind.CAPITAL, holder_name(venture, code))], -amount)]
                )
            for month in range(MONTHS):
                start, end = month_bounds(month)
                for t in range(TENANTS):
                    fen = rent(i, month, t)
                    entries.append((start.replace(day=10 + t), f"{name}: rent received", None,
                                    f"ventures.venture:{venture.pk}"))
                    lines.append([(cash, fen), (income, -fen)])
                run = runs[(venture.pk, start)]
                total, reserve, amounts = split[(venture.pk, start)]
                entries.append((end, f"{name}: distribution for {start}–{end} (run {run})",
                                f"distribution-run:{run}", f"ventures.distributionrun:{run}"))
                lines.append(
                    [(income, total), (reserve_account, -reserve)]
                    + [
                        (account[(org, AccountKind.DISTRIBUTION_PAYABLE,
                                  holder_name(venture, code))], -amounts[h])
                        for h, code in enumerate(holders[venture.pk])
                    ]
                )
        order = sorted(range(len(entries)), key=lambda k: entries[k][0])
        bulk_insert(
            JournalEntry,
            ["date", "description", "created_at", "idempotency_key", "source"],
            ((entries[k][0], entries[k][1], now, entries[k][2], entries[k][3]) for k in order),
        )
        pks = list(JournalEntry.objects.order_by("pk").values_list("pk", flat=True))
        postings = bulk_insert(
            Posting,
            ["entry_id", "account_id", "amount", "currency"],
            ((pk, acc, fen, "CNY") for pk, k in zip(pks, order, strict=True) for acc, fen in lines[k]),
        )

        # approve → post, set-based, through the run guards.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ventures_distributionrun SET status = 'approved', approved_by_id = %s, "
                "approved_at = %s",
                [approver.pk, now],
            )
            cursor.execute(
                "UPDATE ventures_distributionrun SET status = 'posted', posted_by_id = %s, "
                "posted_at = %s, posted_on = period_end, posted_entry_id = (SELECT e.id FROM "
                "ledger_journalentry e WHERE e.idempotency_key = 'distribution-run:' || "
                "ventures_distributionrun.id)",
                [preparer.pk, now],
            )
    return {
        "transactions": len(entries),
        "postings": postings,
        "runs": len(run_rows),
        "lines": len(line_rows),
        "accounts": len(accounts),
    }


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def main(engine: str, ventures: int) -> dict:
    url = PG_URL if engine == "postgres" else f"sqlite:///{OUT / 'ledger_check.sqlite3'}"
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(url)

    from django.core.management import call_command

    from core.actors import SYSTEM
    from ledger.checks import check_ledger
    from registry.services.divisions import load_divisions

    load_divisions(areas=["330482"], actor=SYSTEM)
    results: dict = {"engine": engine}
    with timed(results, "build_s"):
        counts = build(ventures)
    analyze()
    results.update(counts)
    assert check_ledger() == [], "the bench ledger must be clean"

    samples, cpu_samples = [], []
    for _ in range(RUNS):
        out = StringIO()
        started, cpu_started = time.perf_counter(), time.process_time()
        call_command("check_ledger", stdout=out)
        samples.append(time.perf_counter() - started)
        cpu_samples.append(time.process_time() - cpu_started)
    check_s, check_cpu_s = statistics.median(samples), statistics.median(cpu_samples)

    path = OUT / f"ledger_check_{engine}.beancount"
    with timed(results, "export_beancount_s"):
        call_command("export_beancount", "-o", str(path), stdout=StringIO())
    bean_check = Path(sys.executable).parent / "bean-check"
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # No pickle cache: bean-check would otherwise spend part of its time writing one (and
    # a later run on the same file would read it instead of checking).
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    proc = subprocess.run(
        [str(bean_check), str(path)], capture_output=True, text=True, check=False, env=env
    )
    bean_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    bean_cpu_s = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"bean-check failed:\n{proc.stdout}{proc.stderr}"[:4000])

    transactions = counts["transactions"]
    results.update(
        {
            "export_mb": round(path.stat().st_size / 1e6, 1),
            "check_ledger_s": round(check_s, 3),
            "check_ledger_runs_s": [round(s, 3) for s in samples],
            "bean_check_s": round(bean_s, 2),
            "check_ledger_tx_per_s": round(transactions / check_s),
            "bean_check_tx_per_s": round(transactions / bean_s),
            "ratio_check_ledger_to_bean_check": round(bean_s / check_s, 1),
            "check_ledger_cpu_s": round(check_cpu_s, 3),
            "bean_check_cpu_s": round(bean_cpu_s, 2),
        }
    )
    if engine == "sqlite":
        # SQLite works inside this process, so its CPU time is all of check_ledger's work:
        # the ratio of CPU times does not move with the other load on the machine.
        results["ratio_cpu"] = round(bean_cpu_s / check_cpu_s, 1)
    results["build_s"] = round(results["build_s"], 1)
    results["export_beancount_s"] = round(results["export_beancount_s"], 1)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=["sqlite", "postgres"])
    parser.add_argument("--ventures", type=int, default=VENTURES)
    args = parser.parse_args()
    print(json.dumps(main(args.engine, args.ventures), ensure_ascii=False))
