"""reverse_entry: the mirror entry, linked; an entry is reversed at most once."""

import pytest
from django.db import IntegrityError, transaction

from core.actors import SYSTEM
from ledger.exceptions import AlreadyReversed, IdempotencyConflict, InvalidEntry, PeriodLocked
from ledger.models import JournalEntry
from ledger.selectors import balances
from ledger.services import lock_period, post_entry, reverse_entry
from tests.support import D


@pytest.fixture
def dividend(chart):
    """
    2024-06-30 * "Dividend 2024H1" ^baotuan-entry-1
      Income:Organisation:1:Income                                 3,000.00 CNY
      Liabilities:Organisation:1:DistributionPayable:330482107208  -2,000.00 CNY
      Liabilities:Organisation:1:DistributionPayable:331121201201  -1,000.00 CNY
    """
    return post_entry(
        date=D("2024-06-30"),
        description="Dividend 2024H1",
        source="ventures.distributionrun:7",
        lines=[
            (chart["income"], 300_000),
            (chart["owed_xujiadai"], -200_000),
            (chart["owed_fengshan"], -100_000),
        ],
        actor=SYSTEM,
    )


def lines_of(entry):
    return list(entry.postings.order_by("pk").values_list("account_id", "amount", "currency"))


def test_a_reversal_mirrors_its_entry_and_links_to_it(chart, dividend, approver):
    """
    2024-07-02 * "Reversal of entry 1: Dividend 2024H1" ^baotuan-entry-2 ^baotuan-entry-1
      Income:Organisation:1:Income                                -3,000.00 CNY
      Liabilities:Organisation:1:DistributionPayable:330482107208  2,000.00 CNY
      Liabilities:Organisation:1:DistributionPayable:331121201201  1,000.00 CNY
    """
    reversal = reverse_entry(dividend, date=D("2024-07-02"), actor=approver)

    assert reversal.reverses == dividend
    assert JournalEntry.objects.get(pk=dividend.pk).reversed_by == reversal
    assert lines_of(reversal) == [(a, -amount, c) for a, amount, c in lines_of(dividend)]
    assert (reversal.date, reversal.created_by, reversal.source) == (
        D("2024-07-02"),
        approver,
        "ventures.distributionrun:7",
    )
    # Stored in the books' language (settings.LANGUAGE_CODE, Simplified Chinese), whoever posts.
    assert reversal.description == f"冲销分录 {dividend.pk}：Dividend 2024H1"
    after = balances(as_of=D("2024-07-02"), accounts=list(chart.values()))
    assert set(after.values()) == {0}


def test_an_entry_is_reversed_only_once(dividend):
    first = reverse_entry(dividend, date=D("2024-07-02"), actor=SYSTEM)

    with pytest.raises(AlreadyReversed, match=f"already been reversed by entry {first.pk}"):
        reverse_entry(dividend.pk, date=D("2024-07-03"), actor=SYSTEM)

    assert JournalEntry.objects.count() == 2


def test_the_database_refuses_a_second_reversal_link(dividend):
    reverse_entry(dividend, date=D("2024-07-02"), actor=SYSTEM)

    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.create(date=D("2024-07-03"), description="again", reverses=dividend)


def test_a_reversal_can_be_reversed_once_reinstating_the_original(chart, dividend):
    reversal = reverse_entry(dividend, date=D("2024-07-02"), actor=SYSTEM)

    reinstated = reverse_entry(
        reversal, date=D("2024-07-03"), description="Undo the reversal", actor=SYSTEM
    )

    assert reinstated.reverses == reversal
    assert lines_of(reinstated) == lines_of(dividend)
    with pytest.raises(AlreadyReversed):
        reverse_entry(reversal, date=D("2024-07-04"), actor=SYSTEM)
    assert balances(as_of=D("2024-07-03"), accounts=[chart["income"]]) == {
        chart["income"].pk: 300_000
    }


def test_a_reversal_is_not_dated_before_its_entry(dividend):
    with pytest.raises(InvalidEntry, match=r"before the entry it reverses \(2024-06-30\)"):
        reverse_entry(dividend, date=D("2024-06-29"), actor=SYSTEM)

    assert JournalEntry.objects.count() == 1


def test_a_reversal_in_a_locked_period_is_refused_but_the_original_may_be_locked(dividend):
    lock_period(2024, 6, actor=SYSTEM)
    lock_period(2024, 7, actor=SYSTEM)

    with pytest.raises(PeriodLocked):
        reverse_entry(dividend, date=D("2024-07-31"), actor=SYSTEM)
    reversal = reverse_entry(dividend, date=D("2024-08-01"), actor=SYSTEM)

    assert reversal.reverses == dividend


def test_a_reversal_with_a_key_is_idempotent(dividend):
    first = reverse_entry(dividend, date=D("2024-07-02"), idempotency_key="undo-7", actor=SYSTEM)

    again = reverse_entry(dividend, date=D("2024-07-02"), idempotency_key="undo-7", actor=SYSTEM)

    assert again.pk == first.pk
    assert JournalEntry.objects.count() == 2


def test_a_reversal_key_used_for_another_entry_is_a_conflict(chart, dividend):
    other = post_entry(
        date=D("2024-06-30"),
        description="Rent",
        idempotency_key="undo-7",
        lines=[(chart["cash"], 1), (chart["income"], -1)],
        actor=SYSTEM,
    )

    with pytest.raises(IdempotencyConflict, match=f"entry {other.pk}"):
        reverse_entry(dividend, date=D("2024-07-02"), idempotency_key="undo-7", actor=SYSTEM)
