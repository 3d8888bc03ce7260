"""check_ledger and its command: silent on a good ledger, specific about a broken one.

Corruption needs raw SQL past the triggers: on SQLite a DELETE is not blocked (its test
flush deletes); on PostgreSQL the test disables the table's triggers inside its own,
rolled-back transaction (the test database is owned by the test user).
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.actors import SYSTEM
from ledger.checks import check_ledger
from ledger.services import lock_period, post_entry, reverse_entry
from tests.support import D


@pytest.fixture
def good(chart):
    """
    2024-01-10 * "Rent"      Cash 1,000.00 / Income -1,000.00
    2024-01-20 * "Dividend"  Income 600.00 / Owed 徐家埭村 -400.00 / Owed 峰山村 -200.00
    2024-02-03 * "Reversal of the dividend"
    locked: 2024-01
    """
    post_entry(
        date=D("2024-01-10"),
        description="Rent",
        lines=[(chart["cash"], 100_000), (chart["income"], -100_000)],
        actor=SYSTEM,
    )
    dividend = post_entry(
        date=D("2024-01-20"),
        description="Dividend",
        lines=[
            (chart["income"], 60_000),
            (chart["owed_xujiadai"], -40_000),
            (chart["owed_fengshan"], -20_000),
        ],
        actor=SYSTEM,
    )
    lock_period(2024, 1, actor=SYSTEM)
    reversal = reverse_entry(dividend, date=D("2024-02-03"), actor=SYSTEM)
    return {"dividend": dividend, "reversal": reversal}


def raw(*statements, tables=()):
    """Run raw SQL with the ledger's triggers out of the way (PostgreSQL: disabled)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check what was posted first
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_a_good_ledger_passes(good):
    assert check_ledger() == []


def test_the_command_says_so_on_a_good_ledger(good):
    out = StringIO()

    call_command("check_ledger", stdout=out)

    assert out.getvalue() == "Ledger check passed: 3 entries, 8 postings, 1 locked months.\n"


def test_a_corrupted_snapshot_is_found_and_the_command_fails(chart, good):
    """The snapshot of the company's cash at 2024-01-31 says 1,000.01 instead of 1,000.00."""
    cash = chart["cash"].pk
    raw(
        ("DELETE FROM ledger_balancesnapshot WHERE account_id = %s", [cash]),
        (
            "INSERT INTO ledger_balancesnapshot (account_id, as_of, balance, currency) "
            "VALUES (%s, '2024-01-31', 100001, 'CNY')",
            [cash],
        ),
        tables=["ledger_balancesnapshot"],
    )
    err = StringIO()

    with pytest.raises(CommandError, match=r"The ledger check found 1 problem\(s\)\."):
        call_command("check_ledger", stdout=StringIO(), stderr=err)

    assert err.getvalue() == (
        f"The balance snapshot of account {cash} at 2024-01-31 is off by 1 fen from the postings.\n"
    )


def test_a_missing_snapshot_row_is_found(chart, good):
    raw(
        ("DELETE FROM ledger_balancesnapshot WHERE account_id = %s", [chart["income"].pk]),
        tables=["ledger_balancesnapshot"],
    )

    assert check_ledger() == [
        f"The balance snapshot of account {chart['income'].pk} at 2024-01-31 is off by "
        "40000 fen from the postings."
    ]


def test_a_deleted_posting_unbalances_its_entry_and_breaks_the_reversal(chart, good):
    dividend, reversal = good["dividend"], good["reversal"]
    raw(
        (
            "DELETE FROM ledger_posting WHERE entry_id = %s AND account_id = %s",
            [dividend.pk, chart["owed_fengshan"].pk],
        ),
        tables=["ledger_posting"],
    )

    assert check_ledger() == [
        f"Entry {dividend.pk} does not balance: residual 20000 fen in CNY.",
        f"Reversal {reversal.pk} does not mirror the postings of entry {dividend.pk}.",
        f"The balance snapshot of account {chart['owed_fengshan'].pk} at 2024-01-31 is off "
        "by -20000 fen from the postings.",
    ]


def test_an_entry_without_postings_is_found(chart, good):
    raw(
        ("DELETE FROM ledger_posting WHERE entry_id = %s", [good["reversal"].pk]),
        tables=["ledger_posting"],
    )

    problems = check_ledger()

    assert f"Entry {good['reversal'].pk} has 0 postings; an entry needs at least two." in problems
    assert (
        f"Reversal {good['reversal'].pk} does not mirror the postings of entry "
        f"{good['dividend'].pk}."
    ) in problems


def test_an_entry_created_after_its_month_was_locked_is_found(chart, good):
    """Inserted by hand past the lock (SQLite: the entry trigger dropped for the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER ledger_journalentry_period_open")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE ledger_journalentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE ledger_posting DISABLE TRIGGER USER")
        cursor.execute(
            "INSERT INTO ledger_journalentry (date, description, created_at, source) "
            "VALUES ('2024-01-15', 'backdated', '2099-01-01 00:00:00', '')"
        )
        cursor.execute("SELECT id FROM ledger_journalentry WHERE description = 'backdated'")
        entry = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, amount, currency) "
            "VALUES (%s, %s, 7, 'CNY'), (%s, %s, -7, 'CNY')",
            [entry, chart["cash"].pk, entry, chart["income"].pk],
        )

    assert check_ledger() == [
        f"The balance snapshot of account {chart['cash'].pk} at 2024-01-31 is off by -7 fen "
        "from the postings.",
        f"The balance snapshot of account {chart['income'].pk} at 2024-01-31 is off by 7 fen "
        "from the postings.",
        f"Entry {entry} dated 2024-01-15 was created after that month was locked.",
    ]


def test_a_wrong_snapshot_is_reported_with_the_later_ones_built_on_it(chart, good):
    """Locked February was computed from a wrong January: both are reported; a March
    snapshot written right (as if recomputed) is not."""
    cash = chart["cash"].pk
    raw(
        ("DELETE FROM ledger_balancesnapshot WHERE account_id = %s", [cash]),
        (
            "INSERT INTO ledger_balancesnapshot (account_id, as_of, balance, currency) "
            "VALUES (%s, '2024-01-31', 99999, 'CNY')",
            [cash],
        ),
        tables=["ledger_balancesnapshot"],
    )
    lock_period(2024, 2, actor=SYSTEM)

    assert check_ledger() == [
        f"The balance snapshot of account {cash} at 2024-01-31 is off by -1 fen from the postings.",
        f"The balance snapshot of account {cash} at 2024-02-29 is off by -1 fen from the postings.",
    ]


def test_many_problems_are_summarised(chart):
    for day in range(1, 26):
        post_entry(
            date=D(f"2024-01-{day:02d}"),
            description="x",
            lines=[(chart["cash"], day), (chart["income"], -day)],
            actor=SYSTEM,
        )
    raw(
        ("DELETE FROM ledger_posting WHERE account_id = %s", [chart["income"].pk]),
        tables=["ledger_posting"],
    )

    problems = check_ledger()

    assert problems[-1] == "… and 5 more problems of the same kind."
    assert len([p for p in problems if "does not balance" in p]) == 20


def test_postings_slipped_into_a_locked_entry_are_found(chart, good):
    """SQLite does not refuse this insert (migration 0002); the snapshots give it away."""
    cash, income = chart["cash"].pk, chart["income"].pk
    raw(
        (
            "INSERT INTO ledger_posting (entry_id, account_id, amount, currency) "
            "VALUES (%s, %s, 3, 'CNY'), (%s, %s, -3, 'CNY')",
            [good["dividend"].pk, cash, good["dividend"].pk, income],
        ),
        tables=["ledger_posting"],
    )

    assert check_ledger() == [
        f"Reversal {good['reversal'].pk} does not mirror the postings of entry "
        f"{good['dividend'].pk}.",
        f"The balance snapshot of account {cash} at 2024-01-31 is off by -3 fen from the postings.",
        f"The balance snapshot of account {income} at 2024-01-31 is off by 3 fen from the "
        "postings.",
    ]
