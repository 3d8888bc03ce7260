"""Property: any sequence of balanced entries, reversals and month locks leaves a ledger
whose trial balance is zero and whose balances on every date equal a plain replay.

The replay is independent of the ledger's SQL: a Python list of (date, account, amount).
Each example runs in a transaction that is rolled back, so examples do not see each other.
"""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.actors import SYSTEM
from ledger.checks import check_ledger
from ledger.exceptions import AlreadyReversed, PeriodLocked
from ledger.models import month_end
from ledger.selectors import balances, trial_balance
from ledger.services import get_account, lock_period, post_entry, reverse_entry

START = date(2024, 1, 1)
DAYS = 200  # through mid-July 2024

amounts = st.integers(min_value=-(10**9), max_value=10**9).filter(bool)
post = st.tuples(
    st.just("post"),
    st.integers(0, DAYS),
    st.sampled_from(["CNY", "USD"]),
    st.lists(st.tuples(st.integers(0, 3), amounts), min_size=1, max_size=5),
)
reverse = st.tuples(st.just("reverse"), st.integers(0, 50), st.integers(0, 40))
lock = st.tuples(st.just("lock"))
operations = st.lists(st.one_of(post, post, reverse, lock), min_size=1, max_size=14)


@pytest.fixture
def books(enclave_company, xujiadai):
    """Four CNY and four USD accounts, half the company's, half 徐家埭村's."""
    result = {}
    for currency in ("CNY", "USD"):
        result[currency] = [
            get_account(kind=kind, currency=currency, **owner, actor=SYSTEM)
            for kind, owner in (
                ("cash", {"organisation": enclave_company}),
                ("income", {"organisation": enclave_company}),
                ("distribution_payable", {"organisation": enclave_company}),
                ("cash", {"village": xujiadai}),
            )
        ]
    return result


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + month // 12, month % 12 + 1)


def replay(books, ops):
    """Run `ops` against the ledger and keep the plain model of what should be there."""
    postings: list[tuple[date, int, int, str]] = []  # (date, account pk, fen, currency)
    entries = []  # (entry, lines as (pk, fen, currency))
    reversed_entries = set()
    locked: tuple[int, int] | None = None
    for op in ops:
        horizon = month_end(*locked) if locked else None
        if op[0] == "post":
            _, offset, currency, raw = op
            day = START + timedelta(days=offset)
            accounts = books[currency]
            lines = [(accounts[index].pk, fen) for index, fen in raw]
            residual = sum(fen for _pk, fen in lines)
            if residual:
                lines.append((accounts[(raw[-1][0] + 1) % 4].pk, -residual))
            if len(lines) < 2:
                continue
            if horizon is not None and day <= horizon:
                with pytest.raises(PeriodLocked):
                    post_entry(date=day, description="refused", lines=lines, actor=SYSTEM)
                continue
            entry = post_entry(date=day, description="random", lines=lines, actor=SYSTEM)
            entries.append((entry, [(pk, fen, currency) for pk, fen in lines]))
            postings.extend((day, pk, fen, currency) for pk, fen in lines)
        elif op[0] == "reverse":
            if not entries:
                continue
            _, which, delay = op
            entry, lines = entries[which % len(entries)]
            day = entry.date + timedelta(days=delay)
            if horizon is not None and day <= horizon:
                day = horizon + timedelta(days=1 + delay)
            if entry.pk in reversed_entries:
                with pytest.raises(AlreadyReversed):
                    reverse_entry(entry, date=day, actor=SYSTEM)
                continue
            reversal = reverse_entry(entry, date=day, actor=SYSTEM)
            reversed_entries.add(entry.pk)
            mirrored = [(pk, -fen, currency) for pk, fen, currency in lines]
            entries.append((reversal, mirrored))
            postings.extend((day, pk, fen, currency) for pk, fen, currency in mirrored)
        else:
            if locked is None:
                first = min((d for d, *_rest in postings), default=START)
                target = (first.year, first.month)
            else:
                target = _next_month(*locked)
            if date(*target, 1) > START + timedelta(days=DAYS):
                continue
            lock_period(*target, actor=SYSTEM)
            locked = target
    event(f"entries: {len(entries) if len(entries) < 5 else '5+'}")
    event(f"reversals: {len(reversed_entries) if len(reversed_entries) < 2 else '2+'}")
    event("some month locked" if locked else "nothing locked")
    return postings


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, probes=st.lists(st.integers(-5, DAYS + 5), min_size=1, max_size=6))
def test_balances_and_trial_balance_match_a_plain_replay(books, ops, probes):
    with transaction.atomic():
        postings = replay(books, ops)

        for offset in probes:
            as_of = START + timedelta(days=offset)
            for currency in ("CNY", "USD"):
                expected: dict[int, int] = defaultdict(int)
                for day, pk, fen, posting_currency in postings:
                    if day <= as_of and posting_currency == currency:
                        expected[pk] += fen
                pks = [account.pk for account in books[currency]]
                assert balances(as_of=as_of, accounts=pks, currency=currency) == {
                    pk: expected.get(pk, 0) for pk in pks
                }
            rows = trial_balance(as_of=as_of)
            for currency in ("CNY", "USD"):
                in_currency = [row for row in rows if row["currency"] == currency]
                assert sum(row["balance"] for row in in_currency) == 0
                assert sum(row["debit"] for row in in_currency) == sum(
                    row["credit"] for row in in_currency
                )
        assert check_ledger() == []
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the COMMIT-time checks
        transaction.set_rollback(True)
