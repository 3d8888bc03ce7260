"""Issue 13 benchmark: a province-year of points.

Run by `make bench` (bench/run.py), once per database, in its own process:
    python -m bench.points sqlite|postgres [--quick] [--full]

The province: 1,000,000 households (39 a village over Zhejiang's 25,547 villages), 20
entries each (20,000,000). The default tier is 1/20 of the villages (50,000 households,
1,000,000 entries), --quick 1/100, --full all of them. One scheme a village, one rule
version of six items (no caps, so the import checks no period sums).

1. Posting. Baseline: the raw bulk write (`core.db.bulk_insert`) of the entry rows, in one
   transaction. Measured, into an emptied table: `points.services.import_entries` of one
   csv sheet per village (parsed, every row checked: household, item in the version in force,
   evidence, idempotency keys; then the bulk path, the change log and the tallies). Ratio =
   baseline time ÷ service time; goal ≥ 0.5.
2. Balances of every household of a village, and of the largest county of the tier, as of
   today (`points.selectors.balances`, which reads the tallies) against the raw
   `SELECT household_id, SUM(points) … WHERE occurred_on <= today GROUP BY household_id`
   over the same schemes' entries: medians of 20 runs. Ratio = balances ÷ raw; goal ≤ 0.25.
3. A village's public ranking page through the test client: p50/p99 over 200 requests, cold
   (the cache cleared before each) and warm; goal p99 < 100 ms.
4. A shares + points dividend for 10,000 shareholder households of one village (their
   effective points from 3.), prepare → approve → post, twice (the first run also opens the
   10,000 households' payable accounts), against the raw bulk write of the same 10,001
   postings. Ratio = baseline ÷ workflow; goal ≥ 0.5.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import statistics
import sys
import time

from bench.common import PG_URL, ROOT, percentiles, setup_django

HOUSEHOLDS_PER_VILLAGE = 39
ENTRIES_PER_HOUSEHOLD = 20
DIVIDEND_HOUSEHOLDS = 10_000
ITEMS = [
    ("PA01", "safety", 3),
    ("CW01", "affairs", 2),
    ("ZY01", "volunteer", 4),
    ("GY01", "virtue", 10),
    ("ST01", "ecology", 3),
    ("KF01", "ecology", -5),
]
YEAR = dt.datetime.now(dt.UTC).year  # this year: balances of today read the tallies


def median_ms(samples) -> float:
    return round(statistics.median(samples) * 1e3, 2)


def main() -> None:
    engine = sys.argv[1]
    quick, full = "--quick" in sys.argv, "--full" in sys.argv
    url = (
        PG_URL.rsplit("/", 1)[0] + "/baotuan_bench_points"
        if engine == "postgres"
        else f"sqlite:///{ROOT / 'var' / 'bench' / 'points.sqlite3'}"
    )
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    setup_django(url)
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from audit.context import change_context
    from baotuan.demo import facts
    from core.actors import SYSTEM
    from core.db import adapt, bulk_insert
    from core.roles import Role
    from grids.models import Household, Person
    from points import selectors, services
    from points.models import Entry, RuleItem, RuleVersion, Scheme
    from points.services import ENTRY_COLUMNS
    from registry.choices import OrganisationKind
    from registry.models import Organisation, Village
    from registry.services.divisions import load_divisions
    from tests.support import make_user

    clock = time.perf_counter()
    load_divisions([facts.PROVINCE], actor=SYSTEM)
    sys.stderr.write(f"divisions {time.perf_counter() - clock:.1f}s\n")
    every = list(Village.objects.order_by("code").values_list("code", flat=True))
    step = 1 if full else 100 if quick else 20
    villages = every[::step]
    tier = "province" if full else "1/100" if quick else "1/20"
    figures: dict = {"engine": engine, "tier": tier, "villages": len(villages)}

    # --- set-up (not measured): households, schemes, versions, items -------------------
    with transaction.atomic():
        bulk_insert(
            Household,
            ["village_id", "number", "group_name", "micro_grid_id", "is_illustrative"],
            (
                (code, f"{n:03d}", "", None, True)
                for code in villages
                for n in range(1, HOUSEHOLDS_PER_VILLAGE + 1)
            ),
        )
        Scheme.objects.bulk_create(
            Scheme(village_id=code, name="积分", rate_fen=10) for code in villages
        )
        schemes = {s.village_id: s for s in Scheme.objects.all()}
        RuleVersion.objects.bulk_create(
            RuleVersion(
                scheme=s,
                number=1,
                effective_from=dt.date(YEAR, 1, 1),
                adopted_on=dt.date(YEAR - 1, 12, 1),
                document_no="bench",
            )
            for s in schemes.values()
        )
        versions = {v.scheme_id: v for v in RuleVersion.objects.all()}
        RuleItem.objects.bulk_create(
            RuleItem(
                version=v,
                code=code,
                name=code,
                category=cat,
                points=points,
                evidence_required=points < 0,
            )
            for v in versions.values()
            for code, cat, points in ITEMS
        )
    items = {(i.version_id, i.code): i for i in RuleItem.objects.all()}
    households = {
        (code, number): pk
        for pk, code, number in Household.objects.values_list("pk", "village_id", "number")
    }
    figures["households"] = len(households)
    rng = random.Random(13)
    sheets: dict[str, bytes] = {}
    raw_rows: list[tuple] = []
    now = adapt(timezone.now())
    span = max(1, (timezone.localdate() - dt.date(YEAR, 1, 1)).days - 30)
    for code in villages:
        scheme, version = schemes[code], versions[schemes[code].pk]
        out = io.StringIO()
        out.write("户号,项目编号,日期,备注,佐证\n")
        for n in range(1, HOUSEHOLDS_PER_VILLAGE + 1):
            number = f"{n:03d}"
            for k in range(ENTRIES_PER_HOUSEHOLD):
                code_, _cat, points = ITEMS[rng.randrange(len(ITEMS))]
                day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(span))
                evidence = "照片" if points < 0 else ""
                out.write(f"{number},{code_},{day.isoformat()},,{evidence}\n")
                item = items[(version.pk, code_)]
                raw_rows.append(
                    (
                        scheme.pk,
                        households[(code, number)],
                        version.pk,
                        item.pk,
                        points,
                        day,
                        "",
                        "",
                        evidence,
                        "proposed",
                        None,
                        now,
                        f"raw:{code}:{number}:{k}",
                        "",
                    )
                )
        sheets[code] = out.getvalue().encode()
    figures["entries"] = len(raw_rows)

    sys.stderr.write(f"set-up {time.perf_counter() - clock:.1f}s\n")
    # --- 1. posting --------------------------------------------------------------------------
    started = time.perf_counter()
    with transaction.atomic():
        bulk_insert(Entry, ENTRY_COLUMNS, raw_rows)
    raw = time.perf_counter() - started
    figures["raw_bulk_write_s"] = round(raw, 2)
    with connection.cursor() as cursor:
        # TRUNCATE on PostgreSQL: its trigger refuses a DELETE of entries (not a TRUNCATE).
        cursor.execute(
            "TRUNCATE points_entry CASCADE"
            if connection.vendor == "postgresql"
            else "DELETE FROM points_entry"
        )
    del raw_rows
    started = time.perf_counter()
    with change_context(user=SYSTEM, source="cli", path="bench.points"):
        for code, data in sheets.items():
            result = services.import_entries(
                data, actor=SYSTEM, scheme=schemes[code], filename="m.csv"
            )
            if result.errors:
                raise SystemExit(f"{code}: {result.errors[:3]}")
    service = time.perf_counter() - started
    figures["import_through_service_s"] = round(service, 2)
    figures["import_entries_per_s"] = round(figures["entries"] / service)
    figures["ratio_service_vs_raw_write"] = round(raw / service, 2)
    assert Entry.objects.count() == figures["entries"]

    # Everything verified, published and settled (set-up by SQL, not measured): the tallies
    # move with the entries, as the services would move them.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE points_entry SET state = 'effective', effective_on = %s",
            [timezone.localdate() - dt.timedelta(days=1)],
        )
        cursor.execute("UPDATE points_tally SET effective = proposed, proposed = 0")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")

    # --- 2. balances --------------------------------------------------------------------------
    today = timezone.localdate()
    village = villages[len(villages) // 2]
    by_county: dict[str, list[str]] = {}
    for code in villages:
        by_county.setdefault(code[:6], []).append(code)
    county = max(by_county, key=lambda c: len(by_county[c]))
    figures["county_villages"] = len(by_county[county])

    def raw_sum(scheme_pks):
        marks = ", ".join(["%s"] * len(scheme_pks))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT household_id, SUM(points) FROM points_entry "
                f"WHERE scheme_id IN ({marks}) AND occurred_on <= %s GROUP BY household_id",
                [*scheme_pks, today],
            )
            return cursor.fetchall()

    for label, scheme_pks, call in (
        ("village", [schemes[village].pk], lambda: selectors.balances(schemes[village])),
        (
            "county",
            [schemes[c].pk for c in by_county[county]],
            lambda: selectors.balances(region=county),
        ),
    ):
        raws, ours = [], []
        for _ in range(20):
            t0 = time.perf_counter()
            expected = raw_sum(scheme_pks)
            raws.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            rows = call()
            ours.append(time.perf_counter() - t0)
        assert sum(b.effective for b in rows) == sum(int(s) for _h, s in expected)
        figures[f"balances_{label}_raw_sum_ms"] = median_ms(raws)
        figures[f"balances_{label}_ms"] = median_ms(ours)
        figures[f"ratio_balances_{label}_vs_raw_sum"] = round(
            statistics.median(ours) / statistics.median(raws), 2
        )

    # --- 3. the public ranking page ----------------------------------------------------------
    client = Client()
    path = f"/points/public/{schemes[village].pk}/ranking/"
    for label, clear in (("cold", True), ("warm", False)):
        samples = []
        for _ in range(200):
            if clear:
                cache.clear()
            t0 = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 200
        p50, p99 = percentiles(samples)
        figures[f"ranking_{label}_p50_ms"] = round(p50 * 1e3, 1)
        figures[f"ranking_{label}_p99_ms"] = round(p99 * 1e3, 1)

    # --- 4. a shares + points dividend for 10,000 households ---------------------------------
    from ledger.models import JournalEntry, Posting
    from ventures import services as ventures
    from ventures.models import DistributionLine

    payer = villages[0]
    with transaction.atomic():
        bulk_insert(
            Household,
            ["village_id", "number", "group_name", "micro_grid_id", "is_illustrative"],
            ((payer, f"D{n:05d}", "", None, True) for n in range(DIVIDEND_HOUSEHOLDS)),
        )
        members = list(
            Household.objects.filter(village_id=payer, number__startswith="D").values_list(
                "pk", flat=True
            )
        )
        bulk_insert(
            Person,
            [
                "household_id",
                "name",
                "gender",
                "birth_year",
                "relation",
                "is_party_member",
                "is_shareholder",
                "shares",
                "id_sealed",
                "id_hash",
                "id_masked",
                "phone_sealed",
                "phone_hash",
                "phone_masked",
            ],
            (
                (pk, "户主", "M", 1960, "head", False, True, 1 + pk % 5, "", "", "", "", "", "")
                for pk in members
            ),
        )
        scheme = schemes[payer]
        item = items[(versions[scheme.pk].pk, "ZY01")]
        bulk_insert(
            Entry,
            ENTRY_COLUMNS + ["effective_on"],
            (
                (
                    scheme.pk,
                    pk,
                    item.version_id,
                    item.pk,
                    4 * (1 + pk % 7),
                    dt.date(YEAR, 6, 1),
                    "",
                    "",
                    "",
                    "effective",
                    None,
                    now,
                    f"div:{pk}",
                    "",
                    dt.date(YEAR, 6, 10),
                )
                for pk in members
            ),
        )
    second_end = timezone.localdate() - dt.timedelta(days=1)
    company = Organisation.objects.create(
        name="bench 股份经济合作社", kind=OrganisationKind.JOINT_INVESTMENT
    )
    finance = make_user("bench-finance", Role.FINANCE, organisation=company)
    approver = make_user("bench-approver", Role.APPROVER, organisation=company)
    from ventures.choices import VentureKind
    from ventures.models import Venture

    venture = Venture.objects.create(
        name="bench 股份+积分", kind=VentureKind.VILLAGE_COMPANY, organisation=company
    )
    with change_context(user=SYSTEM, source="cli", path="bench.points"):
        ventures.add_stake(
            venture,
            holder=f"village:{payer}",
            units=100,
            effective_from=dt.date(YEAR, 1, 1),
            actor=finance,
        )
        for day in (dt.date(YEAR, 6, 20), second_end):
            ventures.record_income(venture, amount=500_000_000, received_on=day, actor=finance)
    # The baseline: one entry row and the run's 10,001 postings by bulk_insert.
    from ledger.choices import AccountKind
    from ledger.models import Account
    from ledger.services import get_account

    other = Organisation.objects.create(
        name="bench baseline", kind=OrganisationKind.JOINT_INVESTMENT
    )
    pool = get_account(kind=AccountKind.INCOME, organisation=other, actor=SYSTEM).pk
    Account.objects.bulk_create(
        Account(kind=AccountKind.DISTRIBUTION_PAYABLE, organisation=other, name=f"H{i}")
        for i in range(len(members) + 1)
    )
    payables = list(
        Account.objects.filter(
            organisation=other, kind=AccountKind.DISTRIBUTION_PAYABLE
        ).values_list("pk", flat=True)
    )
    started = time.perf_counter()
    with transaction.atomic():
        entry = JournalEntry.objects.create(date=dt.date(YEAR, 6, 30), description="baseline")
        bulk_insert(
            Posting,
            ["entry_id", "account_id", "amount", "currency"],
            [
                (entry.pk, pool, 10_000 * len(members), "CNY"),
                *((entry.pk, pk, -10_000, "CNY") for pk in payables[: len(members)]),
            ],
        )
    baseline = time.perf_counter() - started
    figures["dividend_households"] = len(members)
    figures["dividend_raw_postings_s"] = round(baseline, 3)
    for label, (start, end) in (
        ("first", ((YEAR, 1, 1), (YEAR, 6, 30))),
        ("second", ((YEAR, 7, 1), second_end.timetuple()[:3])),
    ):
        steps = {}
        with change_context(user=finance, source="cli", path="bench.points"):
            t0 = time.perf_counter()
            run = ventures.prepare_run(
                venture,
                period_start=dt.date(*start),
                period_end=dt.date(*end),
                policy="shares_points",
                params={"share_ratio": "80%"},
                actor=finance,
            ).run
            steps["prepare"] = time.perf_counter() - t0
        with change_context(user=approver, source="cli", path="bench.points"):
            t0 = time.perf_counter()
            ventures.approve_run(run, actor=approver)
            steps["approve"] = time.perf_counter() - t0
        with change_context(user=finance, source="cli", path="bench.points"):
            t0 = time.perf_counter()
            ventures.post_run(run, actor=finance, date=dt.date(*end))
            steps["post"] = time.perf_counter() - t0
        took = sum(steps.values())
        for step, seconds in steps.items():
            figures[f"dividend_{label}_{step}_s"] = round(seconds, 3)
        figures[f"ratio_dividend_{label}_post_vs_raw_postings"] = round(baseline / steps["post"], 2)
        lines = DistributionLine.objects.filter(run=run, household__isnull=False).count()
        assert lines == len(members), lines
        figures[f"dividend_{label}_run_s"] = round(took, 3)
        figures[f"ratio_dividend_{label}_vs_raw_postings"] = round(baseline / took, 2)
    from ledger.checks import check_ledger

    figures["check_ledger_problems"] = len(check_ledger())
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
