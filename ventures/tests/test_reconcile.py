"""check_ledger reconciles every posted run's lines with its posted entry (issue 10).

The ledger's own checks see entries that balance; these see an entry that balances but
pays the holders other amounts than the run's lines say, lines that no longer sum to the
run, and a reversal of another entry. Corruption needs raw SQL past the triggers: on
PostgreSQL the test disables the tables' triggers, on SQLite it drops them; both inside the
test's own transaction, which is rolled back.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.actors import SYSTEM
from ledger.checks import check_ledger
from ledger.models import Account, Posting
from ledger.services import reverse_entry
from tests.support import D
from ventures import services
from ventures.models import DistributionLine
from ventures.selectors import RUN_CHECKS
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI


def tamper(*statements, tables=()):
    """Run raw SQL with the tables' triggers out of the way (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for table in tables:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                    [table],
                )
                for (name,) in cursor.fetchall():
                    cursor.execute(f'DROP TRIGGER "{name}"')
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def payable(run, code) -> Account:
    return Account.objects.get(
        kind="distribution_payable",
        organisation=run.venture.organisation,
        name=f"{run.venture.ledger_name}-Village-{code}",
    )


def line(run, code) -> DistributionLine:
    return DistributionLine.objects.get(run=run, village_id=code)


@pytest.fixture
def published(posted, approver):
    services.publish_run(posted, actor=approver)
    return posted


def test_posted_published_and_reversed_runs_reconcile(venture, finance, approver, published):
    """A run with a reserve and welfare fund, one published and one reversed: all clean."""
    services.record_income(venture, amount=50_000_000, received_on=D("2024-06-20"), actor=finance)
    second = services.prepare_run(
        venture,
        period_start=D("2024-01-01"),
        period_end=D("2024-06-30"),
        policy="pro_rata",
        params={"reserve_rate": "10%", "welfare_rate": "5%"},
        actor=finance,
    ).run
    services.approve_run(second, actor=approver)
    services.post_run(second, actor=finance, date=D("2024-07-01"))
    services.reverse_run(second, actor=approver, reason="wrong rate", date=D("2024-07-02"))

    assert check_ledger() == []


def test_an_entry_paying_a_holder_another_amount_is_reported(published):
    """One fen moved from 峰山村's payable to 徐家埭村's: the entry still balances, so only
    the reconciliation sees it (problems in account-name order)."""
    run, entry = published, published.posted_entry
    fengshan, xujiadai = payable(run, FENGSHAN), payable(run, XUJIADAI)
    tamper(
        (
            "UPDATE ledger_posting SET amount = amount + 1 WHERE entry_id = %s AND account_id = %s",
            [entry.pk, fengshan.pk],
        ),
        (
            "UPDATE ledger_posting SET amount = amount - 1 WHERE entry_id = %s AND account_id = %s",
            [entry.pk, xujiadai.pk],
        ),
        tables=["ledger_posting"],
    )

    assert check_ledger() == [
        f"Run {run.pk}: entry {entry.pk} books -30000001 fen on distribution_payable account "
        f"{xujiadai.name}; the run says -30000000 fen.",
        f"Run {run.pk}: entry {entry.pk} books -59999999 fen on distribution_payable account "
        f"{fengshan.name}; the run says -60000000 fen.",
    ]


def test_a_line_changed_after_posting_is_reported_and_the_command_fails(published):
    run, entry = published, published.posted_entry
    shantang = line(run, SHANTANG)
    tamper(
        (
            "UPDATE ventures_distributionline SET amount = amount + 500 WHERE id = %s",
            [shantang.pk],
        ),
        tables=["ventures_distributionline"],
    )
    err = StringIO()

    with pytest.raises(CommandError, match=r"found 2 problem\(s\)"):
        call_command("check_ledger", stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        f"Run {run.pk}: its lines sum to 100000500 fen, but it distributes 100000000 fen.",
        f"Run {run.pk}: entry {entry.pk} books -10000000 fen on distribution_payable account "
        f"{payable(run, SHANTANG).name}; the run says -10000500 fen.",
    ]


def test_a_deleted_line_is_reported(published):
    run, entry = published, published.posted_entry
    tamper(
        ("DELETE FROM ventures_distributionline WHERE id = %s", [line(run, XUJIADAI).pk]),
        tables=["ventures_distributionline"],
    )

    assert check_ledger() == [
        f"Run {run.pk}: its lines sum to 70000000 fen, but it distributes 100000000 fen.",
        f"Run {run.pk}: entry {entry.pk} books -30000000 fen on distribution_payable account "
        f"{payable(run, XUJIADAI).name}; the run says 0 fen.",
    ]


def test_a_holder_paid_from_another_account_is_reported(published, venture):
    """The posting moved to another account of the same kind: both accounts are named."""
    run, entry = published, published.posted_entry
    stray = Account.objects.create(
        kind="distribution_payable", organisation=venture.organisation, name="Elsewhere"
    )
    fengshan = payable(run, FENGSHAN)
    tamper(
        (
            "UPDATE ledger_posting SET account_id = %s WHERE entry_id = %s AND account_id = %s",
            [stray.pk, entry.pk, fengshan.pk],
        ),
        tables=["ledger_posting"],
    )

    assert check_ledger() == [
        f"Run {run.pk}: entry {entry.pk} books -60000000 fen on distribution_payable account "
        "Elsewhere; the run says 0 fen.",
        f"Run {run.pk}: entry {entry.pk} books 0 fen on distribution_payable account "
        f"{fengshan.name}; the run says -60000000 fen.",
    ]


def test_a_run_total_changed_after_posting_is_reported(published):
    """Total and distributed amount raised together (its parts still sum): the source
    posting and the lines no longer agree with the run."""
    run, entry = published, published.posted_entry
    tamper(
        (
            "UPDATE ventures_distributionrun SET total = total + 7, "
            "distributed_amount = distributed_amount + 7 WHERE id = %s",
            [run.pk],
        ),
        tables=["ventures_distributionrun"],
    )

    assert check_ledger() == [
        f"Run {run.pk}: its lines sum to 100000000 fen, but it distributes 100000007 fen.",
        f"Run {run.pk}: entry {entry.pk} books 100000000 fen on income account "
        f"{run.venture.ledger_name}; the run says 100000007 fen.",
    ]


def test_a_reversed_run_whose_reversal_reverses_another_entry_is_reported(
    venture, finance, approver, posted, income_2023
):
    other = services.record_income(
        venture, amount=1_000, received_on=D("2024-01-20"), actor=finance
    )
    stray = reverse_entry(other.entry, date=D("2024-01-25"), actor=SYSTEM)
    run = services.reverse_run(posted, actor=approver, reason="wrong", date=D("2024-02-01"))
    tamper(
        (
            "UPDATE ventures_distributionrun SET reversal_entry_id = %s WHERE id = %s",
            [stray.pk, run.pk],
        ),
        tables=["ventures_distributionrun"],
    )

    assert check_ledger() == [
        f"Run {run.pk} is reversed, but entry {stray.pk} does not reverse its entry "
        f"{run.posted_entry_id}."
    ]


def test_the_reconciliation_reads_a_fixed_number_of_queries(published, django_assert_num_queries):
    """Whatever the number of runs and lines, a clean ledger costs 3 queries: the runs with
    their probes, the lines with their probes and sums, the reversals."""
    assert Posting.objects.filter(entry=published.posted_entry).count() == 4

    with django_assert_num_queries(3):
        for check in RUN_CHECKS:
            assert list(check()) == []


def test_postings_the_run_does_not_explain_are_reported(published, venture):
    """100 fen between two other accounts inside the run's entry: the entry balances and
    every holder is paid right, but the entry holds more than the run."""
    run, entry = published, published.posted_entry
    one, other = (
        Account.objects.create(kind="expense", organisation=venture.organisation, name=name)
        for name in ("StrayA", "StrayB")
    )
    tamper(
        (
            "INSERT INTO ledger_posting (entry_id, account_id, amount, currency) "
            "VALUES (%s, %s, 100, 'CNY'), (%s, %s, -100, 'CNY')",
            [entry.pk, one.pk, entry.pk, other.pk],
        ),
        tables=["ledger_posting"],
    )

    assert check_ledger() == [
        f"Run {run.pk}: entry {entry.pk} books 100 fen on expense account StrayA; the run "
        "says 0 fen.",
        f"Run {run.pk}: entry {entry.pk} books -100 fen on expense account StrayB; the run "
        "says 0 fen.",
    ]


def test_each_paid_line_records_the_payable_account_its_amount_is_booked_to(published):
    """The line keeps its holder's payable account from the preparing on, and the posted
    entry credits exactly that account by the line's amount."""
    lines = list(published.lines.filter(amount__gt=0).select_related("account"))
    assert lines
    for line in lines:
        holder = line.village_id or line.organisation_id
        assert line.account.kind == "distribution_payable"
        assert line.account.name.endswith(f"-{holder}")
        booked = Posting.objects.filter(entry=published.posted_entry, account=line.account)
        assert list(booked.values_list("amount", flat=True)) == [-line.amount]
