"""balances, trial_balance and lock_period: snapshots give the same answers as sums."""

from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from audit.models import ObjectChange
from core.actors import SYSTEM
from ledger.exceptions import LedgerError, LockOrderError, PeriodLocked
from ledger.models import Account, BalanceSnapshot, Period, Posting
from ledger.selectors import balances, locked_through, trial_balance
from ledger.services import get_account, lock_period, post_entry, reverse_entry
from tests.support import D


@pytest.fixture
def quarter(chart):
    """Three months of the enclave company (amounts in yuan):

    2024-01-10 * "Rent"          Cash 1,000.00 / Income -1,000.00
    2024-01-31 * "Rent"          Cash   500.00 / Income   -500.00
    2024-02-29 * "Dividend"      Income 1,200.00 / Owed 徐家埭村 -800.00 / Owed 峰山村 -400.00
    2024-03-05 * "Paid 徐家埭村"  Owed 徐家埭村 800.00 / Cash -800.00
    2024-03-20 * "Reversal of the January 31 rent"
    """
    rent = post_entry(
        date=D("2024-01-10"),
        description="Rent",
        lines=[(chart["cash"], 100_000), (chart["income"], -100_000)],
        actor=SYSTEM,
    )
    late_rent = post_entry(
        date=D("2024-01-31"),
        description="Rent",
        lines=[(chart["cash"], 50_000), (chart["income"], -50_000)],
        actor=SYSTEM,
    )
    post_entry(
        date=D("2024-02-29"),
        description="Dividend",
        lines=[
            (chart["income"], 120_000),
            (chart["owed_xujiadai"], -80_000),
            (chart["owed_fengshan"], -40_000),
        ],
        actor=SYSTEM,
    )
    post_entry(
        date=D("2024-03-05"),
        description="Paid 徐家埭村",
        lines=[(chart["owed_xujiadai"], 80_000), (chart["cash"], -80_000)],
        actor=SYSTEM,
    )
    reverse_entry(late_rent, date=D("2024-03-20"), actor=SYSTEM)
    return {"rent": rent}


def naive(as_of) -> dict[int, int]:
    """The definition: the sum of every posting dated on or before `as_of`."""
    rows = (
        Posting.objects.filter(entry__date__lte=as_of)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["account_id"]: row["total"] for row in rows}


DAYS = [
    "2023-12-31",
    "2024-01-09",
    "2024-01-10",
    "2024-01-31",
    "2024-02-01",
    "2024-02-29",
    "2024-03-04",
    "2024-03-05",
    "2024-03-31",
    "2024-12-31",
]


def test_balances_without_snapshots_are_the_sums_of_postings(chart, quarter):
    for day in DAYS:
        assert balances(as_of=D(day)) == naive(D(day)), day


def test_balances_before_and_after_locked_months_equal_the_sums(chart, quarter):
    lock_period(2024, 1, actor=SYSTEM)
    lock_period(2024, 2, actor=SYSTEM)

    assert sorted(
        BalanceSnapshot.objects.order_by().values_list("as_of", flat=True).distinct()
    ) == [D("2024-01-31"), D("2024-02-29")]
    for day in DAYS:
        assert balances(as_of=D(day)) == naive(D(day)), day


def test_the_balances_of_the_quarter(chart, quarter):
    lock_period(2024, 1, actor=SYSTEM)

    got = balances(as_of=D("2024-03-31"), accounts=list(chart.values()))

    assert got == {
        chart["cash"].pk: 100_000 + 50_000 - 80_000 - 50_000,
        chart["income"].pk: -150_000 + 120_000 + 50_000,
        chart["owed_xujiadai"].pk: 0,
        chart["owed_fengshan"].pk: -40_000,
        chart["xujiadai_cash"].pk: 0,
        chart["fengshan_cash"].pk: 0,
    }


def test_lock_period_writes_a_snapshot_per_used_account(chart, quarter):
    period = lock_period(2024, 1, actor=SYSTEM)

    snapshots = BalanceSnapshot.objects.filter(as_of=D("2024-01-31"))
    assert {(s.account_id, s.balance, s.currency) for s in snapshots} == {
        (chart["cash"].pk, 150_000, "CNY"),
        (chart["income"].pk, -150_000, "CNY"),
    }
    assert (period.year, period.month, period.ends_on) == (2024, 1, D("2024-01-31"))
    assert locked_through() == D("2024-01-31")
    change = ObjectChange.objects.get(content_type__model="period")
    assert change.postchange_data["snapshots"] == 2


def test_snapshots_carry_accounts_without_postings_that_month(chart, quarter):
    lock_period(2024, 1, actor=SYSTEM)
    lock_period(2024, 2, actor=SYSTEM)
    lock_period(2024, 3, actor=SYSTEM)
    lock_period(2024, 4, actor=SYSTEM)  # no postings in April

    april = dict(
        BalanceSnapshot.objects.filter(as_of=D("2024-04-30")).values_list("account_id", "balance")
    )
    assert april == naive(D("2024-04-30"))


@pytest.mark.parametrize("accounts", [3, 30], ids=["three_accounts_case", "thirty_accounts_case"])
def test_balances_take_two_queries_whatever_the_number_of_accounts(
    enclave_company, chart, accounts
):
    holders = [
        get_account(
            kind="distribution_payable", organisation=enclave_company, name=f"H{i}", actor=SYSTEM
        )
        for i in range(accounts)
    ]
    post_entry(
        date=D("2024-01-31"),
        description="Dividend",
        lines=[(chart["income"], 100 * accounts)] + [(h, -100) for h in holders],
        actor=SYSTEM,
    )
    lock_period(2024, 1, actor=SYSTEM)
    post_entry(
        date=D("2024-02-29"),
        description="Dividend",
        lines=[(chart["income"], 100 * accounts)] + [(h, -100) for h in holders],
        actor=SYSTEM,
    )

    for kwargs in ({}, {"accounts": holders}, {"accounts": Account.objects.filter(name="H1")}):
        with CaptureQueriesContext(connection) as queries:
            result = balances(as_of=D("2024-02-29"), **kwargs)
        assert len(queries) == 2, kwargs
    assert result == {holders[1].pk: -200}
    assert balances(as_of=D("2024-02-29"), accounts=holders) == {h.pk: -200 for h in holders}


def test_balances_of_accounts_without_postings_are_zero(chart):
    assert balances(as_of=D("2024-01-01"), accounts=[chart["cash"], chart["income"].pk]) == {
        chart["cash"].pk: 0,
        chart["income"].pk: 0,
    }
    assert balances(as_of=D("2024-01-01")) == {}


def test_balances_are_per_currency(enclave_company, chart, quarter):
    usd_cash = get_account(kind="cash", organisation=enclave_company, currency="USD", actor=SYSTEM)
    usd_income = get_account(
        kind="income", organisation=enclave_company, currency="USD", actor=SYSTEM
    )
    post_entry(
        date=D("2024-01-05"),
        description="USD",
        lines=[(usd_cash, 700), (usd_income, -700)],
        actor=SYSTEM,
    )

    assert balances(as_of=D("2024-01-31"), currency="USD") == {
        usd_cash.pk: 700,
        usd_income.pk: -700,
    }
    assert usd_cash.pk not in balances(as_of=D("2024-01-31"))


def test_the_trial_balance_sums_to_zero_with_debits_equal_to_credits(chart, quarter, fengshan):
    lock_period(2024, 1, actor=SYSTEM)

    rows = trial_balance(as_of=D("2024-02-29"))

    assert sum(row["balance"] for row in rows) == 0
    assert sum(row["debit"] for row in rows) == sum(row["credit"] for row in rows) == 150_000
    by_account = {row["account"]: row for row in rows}
    assert by_account[chart["owed_fengshan"].pk] == {
        "account": chart["owed_fengshan"].pk,
        "name": fengshan.pk,
        "kind": "distribution_payable",
        "currency": "CNY",
        "owner": "青田强村联合投资发展有限责任公司",
        "village": None,
        "organisation": chart["owed_fengshan"].organisation_id,
        "beancount_name": (
            f"Liabilities:Organisation:{chart['owed_fengshan'].organisation_id}:"
            f"DistributionPayable:{fengshan.pk}"
        ),
        "debit": 0,
        "credit": 40_000,
        "balance": -40_000,
    }


def test_the_first_lock_may_not_leave_earlier_entries_open(chart, quarter):
    with pytest.raises(LockOrderError, match="Entries start in 2024-01: lock that month first"):
        lock_period(2024, 2, actor=SYSTEM)

    assert not Period.objects.exists()


def test_months_are_locked_in_order_once(chart, quarter):
    lock_period(2024, 1, actor=SYSTEM)

    with pytest.raises(LockOrderError, match="Lock 2024-02 first"):
        lock_period(2024, 3, actor=SYSTEM)
    with pytest.raises(PeriodLocked, match="2024-01 is locked already"):
        lock_period(2024, 1, actor=SYSTEM)
    with pytest.raises(PeriodLocked, match="2023-12 is locked already"):
        lock_period(2023, 12, actor=SYSTEM)
    assert list(Period.objects.values_list("year", "month")) == [(2024, 1)]


def test_december_is_followed_by_january(chart):
    post_entry(
        date=D("2023-12-31"),
        description="Rent",
        lines=[(chart["cash"], 1), (chart["income"], -1)],
        actor=SYSTEM,
    )
    lock_period(2023, 12, actor=SYSTEM)

    lock_period(2024, 1, actor=SYSTEM)

    assert list(Period.objects.values_list("year", "month")) == [(2023, 12), (2024, 1)]


def test_a_month_that_is_not_over_cannot_be_locked(chart):
    from django.utils import timezone

    today = timezone.localdate()

    with pytest.raises(LockOrderError, match="is not over yet"):
        lock_period(today.year, today.month, actor=SYSTEM)


@pytest.mark.parametrize(("year", "month"), [(2024, 0), (2024, 13), ("2024", 1), (2024, 1.0)])
def test_a_period_is_a_year_and_a_month(db, year, month):
    with pytest.raises(LedgerError, match="a month from 1 to 12"):
        lock_period(year, month, actor=SYSTEM)


def test_locked_balances_match_a_running_total(chart, quarter):
    """Independent of SQL: replay the quarter's entries in Python."""
    running: dict[int, int] = defaultdict(int)
    for account_id, amount in Posting.objects.filter(entry__date__lte=D("2024-02-29")).values_list(
        "account_id", "amount"
    ):
        running[account_id] += amount
    lock_period(2024, 1, actor=SYSTEM)
    lock_period(2024, 2, actor=SYSTEM)

    assert dict(
        BalanceSnapshot.objects.filter(as_of=D("2024-02-29")).values_list("account_id", "balance")
    ) == dict(running)
