"""What keeps concurrent writers apart (PostgreSQL): posting holds a shared advisory lock
and locking a month an exclusive one, each until its transaction ends; an entry can be
reversed only once even by two concurrent reversals (the unique link)."""

import threading

import pytest
from django.db import connection, connections, transaction

from core.actors import SYSTEM
from ledger.exceptions import AlreadyReversed
from ledger.services import ADVISORY_LOCK_KEY, get_account, lock_period, post_entry, reverse_entry
from tests.support import D

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="advisory locks and row locks of PostgreSQL"
)


def advisory_modes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
            "AND objid = %s AND pid = pg_backend_pid()",
            [ADVISORY_LOCK_KEY],
        )
        return {row[0] for row in cursor.fetchall()}


def test_posting_holds_the_shared_ledger_lock_until_commit(chart):
    with transaction.atomic():
        post_entry(
            date=D("2024-01-10"),
            description="Rent",
            lines=[(chart["cash"], 1), (chart["income"], -1)],
            actor=SYSTEM,
        )

        assert advisory_modes() == {"ShareLock"}


def test_locking_a_month_holds_the_exclusive_ledger_lock_until_commit(chart):
    post_entry(
        date=D("2024-01-10"),
        description="Rent",
        lines=[(chart["cash"], 1), (chart["income"], -1)],
        actor=SYSTEM,
    )
    with transaction.atomic():
        lock_period(2024, 1, actor=SYSTEM)

        assert "ExclusiveLock" in advisory_modes()


@pytest.mark.django_db(transaction=True)
def test_a_month_is_not_locked_while_an_entry_dated_in_it_is_being_written(tree, enclave_company):
    """Thread A posts a January entry and waits before committing; thread B locks January.
    B must wait for A, so January's snapshot includes A's entry."""
    cash = get_account(kind="cash", organisation=enclave_company, actor=SYSTEM)
    income = get_account(kind="income", organisation=enclave_company, actor=SYSTEM)
    posted, release = threading.Event(), threading.Event()
    errors = []

    def writer():
        try:
            with transaction.atomic():
                post_entry(
                    date=D("2024-01-31"),
                    description="Late rent",
                    lines=[(cash, 700), (income, -700)],
                    actor=SYSTEM,
                )
                posted.set()
                release.wait(10)
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def locker():
        try:
            lock_period(2024, 1, actor=SYSTEM)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    a = threading.Thread(target=writer)
    a.start()
    assert posted.wait(10)
    b = threading.Thread(target=locker)
    b.start()
    b.join(0.5)
    assert b.is_alive()  # waiting for A's shared lock
    release.set()
    a.join(10)
    b.join(10)

    assert errors == []
    from ledger.models import BalanceSnapshot

    assert dict(BalanceSnapshot.objects.values_list("account_id", "balance")) == {
        cash.pk: 700,
        income.pk: -700,
    }


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reversals_of_one_entry_make_one(tree, enclave_company):
    cash = get_account(kind="cash", organisation=enclave_company, actor=SYSTEM)
    income = get_account(kind="income", organisation=enclave_company, actor=SYSTEM)
    entry = post_entry(
        date=D("2024-01-31"), description="Rent", lines=[(cash, 700), (income, -700)], actor=SYSTEM
    )
    first_in, release = threading.Event(), threading.Event()
    outcomes = []

    def reverse(wait: bool):
        try:
            with transaction.atomic():
                outcomes.append(reverse_entry(entry, date=D("2024-02-01"), actor=SYSTEM).pk)
                if wait:
                    first_in.set()
                    release.wait(10)
        except AlreadyReversed as error:
            outcomes.append(error)
        finally:
            connections.close_all()

    a = threading.Thread(target=reverse, args=(True,))
    a.start()
    assert first_in.wait(10)
    b = threading.Thread(target=reverse, args=(False,))
    b.start()
    b.join(0.5)  # B blocks on A's uncommitted unique link
    release.set()
    a.join(10)
    b.join(10)

    assert len(outcomes) == 2
    assert sum(isinstance(o, AlreadyReversed) for o in outcomes) == 1
