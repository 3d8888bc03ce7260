"""Posted rows never change: the ORM refuses, and so does the database (raw SQL too)."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from core.actors import SYSTEM
from ledger.exceptions import LedgerImmutable
from ledger.models import BalanceSnapshot, JournalEntry, Period, Posting
from ledger.services import lock_period, post_entry
from tests.support import D

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="triggers of migration 0002 on PostgreSQL"
)


@pytest.fixture
def entry(chart):
    """
    2024-01-15 * "Capital paid in"
      Assets:Village:330482107208:Cash         500.00 CNY
      Assets:Village:331121201201:Cash        -500.00 CNY
    """
    return post_entry(
        date=D("2024-01-15"),
        description="Capital paid in",
        lines=[(chart["xujiadai_cash"], 50_000), (chart["fengshan_cash"], -50_000)],
        actor=SYSTEM,
    )


@pytest.fixture
def locked(entry):
    lock_period(2024, 1, actor=SYSTEM)
    return Period.objects.get()


def snapshot_rows():
    return (
        list(JournalEntry.objects.order_by("pk").values()),
        list(Posting.objects.order_by("pk").values()),
        list(Period.objects.order_by("pk").values()),
        list(BalanceSnapshot.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda e: setattr(e, "description", "forged") or e.save(), id="entry_save_case"
        ),
        pytest.param(lambda e: e.delete(), id="entry_delete_case"),
        pytest.param(
            lambda e: JournalEntry.objects.filter(pk=e.pk).update(description="forged"),
            id="entry_queryset_update_case",
        ),
        pytest.param(
            lambda e: JournalEntry.objects.filter(pk=e.pk).delete(), id="entry_queryset_delete_case"
        ),
        pytest.param(
            lambda e: JournalEntry.objects.bulk_update([e], ["description"]),
            id="entry_bulk_update_case",
        ),
        pytest.param(lambda e: e.postings.first().save(), id="posting_save_case"),
        pytest.param(lambda e: e.postings.first().delete(), id="posting_delete_case"),
        pytest.param(lambda e: e.postings.update(amount=1), id="posting_queryset_update_case"),
        pytest.param(lambda e: e.postings.all().delete(), id="posting_queryset_delete_case"),
        pytest.param(
            lambda e: Posting.objects.bulk_create([Posting(entry=e, account_id=1, amount=1)]),
            id="posting_bulk_create_case",
        ),
        pytest.param(
            lambda e: Posting(entry=e, account_id=1, amount=1).save(), id="posting_new_save_case"
        ),
        pytest.param(lambda e: Period.objects.get().delete(), id="period_delete_case"),
        pytest.param(lambda e: Period.objects.update(month=2), id="period_update_case"),
        pytest.param(
            lambda e: BalanceSnapshot.objects.update(balance=0), id="snapshot_update_case"
        ),
        pytest.param(lambda e: BalanceSnapshot.objects.first().delete(), id="snapshot_delete_case"),
    ],
)
def test_the_orm_refuses_to_change_posted_rows(entry, locked, edit):
    before = snapshot_rows()

    # A savepoint, so that a refusal raised inside Django's own atomic blocks is harmless.
    with (
        pytest.raises(LedgerImmutable, match="never changed|cannot be changed"),
        transaction.atomic(),
    ):
        edit(entry)

    assert snapshot_rows() == before


def test_an_entry_rebuilt_with_an_existing_pk_is_inserted_not_updated(entry):
    """Django would UPDATE an unsaved instance that has a pk; the ledger only inserts."""
    before = snapshot_rows()

    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry(pk=entry.pk, date=entry.date, description="forged").save()

    assert snapshot_rows() == before


def test_the_immutability_message_says_to_reverse(entry):
    with pytest.raises(LedgerImmutable) as refused:
        entry.delete()

    assert str(refused.value) == (
        "Journal entry cannot be changed or deleted; correct a mistake with a reversal."
    )


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("UPDATE ledger_posting SET amount = amount + 1", id="posting_update_case"),
        pytest.param(
            "UPDATE ledger_journalentry SET description = 'forged'", id="entry_update_case"
        ),
        pytest.param("UPDATE ledger_period SET month = 2", id="period_update_case"),
        pytest.param("UPDATE ledger_balancesnapshot SET balance = 0", id="snapshot_update_case"),
    ],
)
def test_the_database_refuses_raw_updates(locked, sql):
    before = snapshot_rows()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert snapshot_rows() == before


@postgres_only
@pytest.mark.parametrize(
    "table", ["ledger_posting", "ledger_journalentry", "ledger_period", "ledger_balancesnapshot"]
)
def test_postgresql_refuses_raw_deletes(locked, table):
    before = snapshot_rows()

    with (
        pytest.raises(DatabaseError, match=f"{table} is append-only \\(DELETE refused\\)"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")

    assert snapshot_rows() == before


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param(
            "INSERT INTO ledger_journalentry (date, description, created_at, source) "
            "VALUES ('2024-01-31', 'late', '2024-02-01 00:00:00', '')",
            id="entry_case",
        ),
        pytest.param(
            "INSERT INTO ledger_posting (entry_id, account_id, amount, currency) "
            "SELECT e.id, p.account_id, -p.amount, p.currency FROM ledger_posting p "
            "JOIN ledger_journalentry e ON e.id = p.entry_id",
            id="postings_into_a_locked_entry_case",
            marks=postgres_only,  # SQLite leaves this to check_ledger (migration 0002)
        ),
    ],
)
def test_the_database_refuses_raw_inserts_into_a_locked_period(locked, sql):
    before = snapshot_rows()

    with (
        pytest.raises(DatabaseError, match="locked period"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert snapshot_rows() == before


def raw_entry(*batches, check: bool = True) -> int:
    """Insert an entry dated 2024-02-01 and its postings by raw SQL, in a savepoint.

    Each batch is a list of (account pk, fen, currency) inserted in one statement; after
    each batch the COMMIT-time checks run (SET CONSTRAINTS ALL IMMEDIATE) unless `check`
    is False. Returns the entry's id.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (date, description, created_at, source) "
            "VALUES ('2024-02-01', 'raw', '2024-02-01 00:00:00+00', '') RETURNING id"
        )
        entry = cursor.fetchone()[0]
        for batch in batches:
            if batch:
                cursor.execute(
                    "INSERT INTO ledger_posting (entry_id, account_id, amount, currency) "
                    "VALUES " + ", ".join(["(%s, %s, %s, %s)"] * len(batch)),
                    [value for line in batch for value in (entry, *line)],
                )
            if check:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would do
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return entry


@postgres_only
def test_postgresql_refuses_an_unbalanced_raw_insert_when_the_checks_run(chart):
    """
    2024-02-01 * "raw"
      Assets:Village:330482107208:Cash   1.00 CNY
      Assets:Village:331121201201:Cash  -0.99 CNY   ; residual 0.01: refused at COMMIT
    """
    lines = [(chart["xujiadai_cash"].pk, 100, "CNY"), (chart["fengshan_cash"].pk, -99, "CNY")]

    with pytest.raises(IntegrityError, match=r"does not balance \(residual in fen: CNY 1\)"):
        raw_entry(lines)

    assert not JournalEntry.objects.exists()


@postgres_only
def test_postgresql_accepts_a_balanced_raw_insert(chart):
    entry = raw_entry(
        [(chart["xujiadai_cash"].pk, 100, "CNY"), (chart["fengshan_cash"].pk, -100, "CNY")]
    )

    assert Posting.objects.filter(entry_id=entry).count() == 2


@postgres_only
@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        pytest.param([], "fewer than two postings", id="no_postings_case"),
        pytest.param([100], "fewer than two postings|has 1 posting", id="one_posting_case"),
    ],
)
def test_postgresql_refuses_an_entry_without_two_postings(chart, amounts, message):
    lines = [(chart["xujiadai_cash"].pk, amount, "CNY") for amount in amounts]

    with pytest.raises(IntegrityError, match=message):
        raw_entry(lines)


@postgres_only
def test_postgresql_refuses_a_posting_in_another_currency_than_its_account(chart):
    lines = [(chart["xujiadai_cash"].pk, 100, "USD"), (chart["fengshan_cash"].pk, -100, "USD")]

    with pytest.raises(IntegrityError, match="another currency than its account"):
        raw_entry(lines)


@postgres_only
def test_postgresql_rechecks_an_entry_that_gets_more_postings_after_a_check(chart):
    """The check ran once (balanced); a later raw posting unbalances it: checked again."""
    balanced = [(chart["xujiadai_cash"].pk, 100, "CNY"), (chart["fengshan_cash"].pk, -100, "CNY")]
    more = [(chart["xujiadai_cash"].pk, 5, "CNY")]

    with pytest.raises(IntegrityError, match="does not balance"):
        raw_entry(balanced, more)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_an_unbalanced_raw_insert_at_commit(tree, enclave_company):
    """No SET CONSTRAINTS: the deferred trigger fires at COMMIT and the commit fails."""
    from ledger.services import get_account

    cash = get_account(kind="cash", organisation=enclave_company, actor=SYSTEM)
    income = get_account(kind="income", organisation=enclave_company, actor=SYSTEM)

    with pytest.raises(IntegrityError, match="does not balance"):
        raw_entry([(cash.pk, 100, "CNY"), (income.pk, -1, "CNY")], check=False)  # autocommit

    assert not JournalEntry.objects.exists()
    assert not Posting.objects.exists()
    post_entry(
        date=D("2024-02-01"), description="fine", lines=[(cash, 100), (income, -100)], actor=SYSTEM
    )
    assert Posting.objects.count() == 2  # committed: the trigger let it through
