"""post_entry: balanced entries post; anything else is refused with nothing written."""

import hashlib
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from django.db import transaction

from audit.context import change_context
from audit.models import ObjectChange
from core.actors import SYSTEM
from ledger.exceptions import (
    CurrencyMismatch,
    IdempotencyConflict,
    InvalidEntry,
    LedgerError,
    PeriodLocked,
    UnbalancedEntry,
    UnknownAccount,
)
from ledger.models import JournalEntry, Posting
from ledger.services import get_account, lock_period, post_entry
from lib.money import Money
from tests.support import D


def ledger_rows():
    return (
        list(JournalEntry.objects.order_by("pk").values()),
        list(Posting.objects.order_by("pk").values()),
    )


def entry_changes():
    return ObjectChange.objects.filter(
        content_type__app_label="ledger", content_type__model="journalentry"
    )


def test_a_balanced_entry_posts_with_its_lines_in_order(chart, finance):
    """
    2024-03-31 * "Rent from the enclave park"
      Assets:Organisation:1:Cash        1,000,000.00 CNY
      Income:Organisation:1:Income     -1,000,000.00 CNY
    """
    entry = post_entry(
        date=D("2024-03-31"),
        description="Rent from the enclave park",
        lines=[(chart["cash"], 100_000_000), (chart["income"].pk, -100_000_000)],
        actor=finance,
        source="ventures.income:1",
    )

    assert (entry.date, entry.description, entry.source, entry.created_by) == (
        D("2024-03-31"),
        "Rent from the enclave park",
        "ventures.income:1",
        finance,
    )
    assert entry.reverses is None
    assert entry.idempotency_key is None
    assert list(entry.postings.order_by("pk").values_list("account_id", "amount", "currency")) == [
        (chart["cash"].pk, 100_000_000, "CNY"),
        (chart["income"].pk, -100_000_000, "CNY"),
    ]


def test_an_entry_is_logged_once_with_totals_and_its_lines(chart, finance):
    entry = post_entry(
        date=D("2024-03-31"),
        description="Rent",
        lines=[(chart["cash"], 500), (chart["income"], -500)],
        actor=finance,
    )

    change = entry_changes().get()
    assert (change.action, change.object_pk, change.user, change.prechange_data) == (
        "create",
        str(entry.pk),
        finance,
        None,
    )
    after = change.postchange_data
    assert after["postings"] == 2
    assert after["totals"] == {"CNY": {"debit": 500, "credit": 500}}
    assert after["lines"] == [[chart["cash"].pk, 500, "CNY"], [chart["income"].pk, -500, "CNY"]]
    assert len(after["lines_sha256"]) == 64


def test_the_change_context_user_is_the_logged_actor(chart, finance, approver):
    with change_context(user=approver, source="cli"):
        post_entry(
            date=D("2024-03-31"),
            description="Rent",
            lines=[(chart["cash"], 5), (chart["income"], -5)],
            actor=finance,
        )

    change = entry_changes().get()
    assert (change.user, change.source) == (approver, "cli")


def test_a_large_entry_is_written_in_bulk_and_logged_as_one_change(enclave_company, chart):
    """A distribution of ¥200,000.00 to 2,000 holders: 2,001 postings, one change-log row."""
    holders = [
        get_account(
            kind="distribution_payable", organisation=enclave_company, name=f"H{i}", actor=SYSTEM
        )
        for i in range(2000)
    ]
    lines = [(chart["income"], 20_000_000)] + [(holder, -10_000) for holder in holders]

    entry = post_entry(date=D("2024-06-30"), description="Dividend", lines=lines, actor=SYSTEM)

    assert entry.postings.count() == 2001
    change = entry_changes().get()
    assert change.postchange_data["postings"] == 2001
    assert change.postchange_data["totals"] == {"CNY": {"debit": 20_000_000, "credit": 20_000_000}}
    assert "lines" not in change.postchange_data
    text = "".join(
        f"{account}:{amount}:{currency}\n"
        for account, amount, currency in entry.postings.order_by("pk").values_list(
            "account_id", "amount", "currency"
        )
    )
    assert change.postchange_data["lines_sha256"] == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("lines", "residual"),
    [
        pytest.param(
            lambda c: [(c["cash"], 100), (c["income"], -99)],
            "CNY 0.01 (1 fen)",
            id="one_fen_over_case",
        ),
        pytest.param(
            lambda c: [(c["cash"], 100), (c["income"], -300)],
            "CNY -2.00 (-200 fen)",
            id="credit_heavy_case",
        ),
        pytest.param(
            lambda c: [(c["cash"], 100), (c["cash"], 100)],
            "CNY 2.00 (200 fen)",
            id="debits_only_case",
        ),
    ],
)
def test_an_unbalanced_entry_is_refused_with_its_residual(chart, lines, residual):
    before = ledger_rows()

    with pytest.raises(UnbalancedEntry) as refused:
        post_entry(date=D("2024-03-31"), description="Typo", lines=lines(chart), actor=SYSTEM)

    assert f"residual: {residual}." in str(refused.value)
    assert ledger_rows() == before
    assert not entry_changes().exists()


def test_residuals_are_listed_per_currency(enclave_company, chart):
    usd = get_account(kind="cash", organisation=enclave_company, currency="USD", actor=SYSTEM)

    with pytest.raises(UnbalancedEntry) as refused:
        post_entry(
            date=D("2024-03-31"),
            description="Two currencies",
            lines=[(chart["cash"], 700), (chart["income"], -700), (usd, 50), (usd, -20)],
            actor=SYSTEM,
        )

    assert refused.value.residuals == {"USD": 30}
    assert str(refused.value) == "The entry does not balance; residual: USD 0.30 (30 fen)."


def test_an_entry_balanced_per_currency_posts(enclave_company, chart):
    usd_cash = get_account(kind="cash", organisation=enclave_company, currency="USD", actor=SYSTEM)
    usd_income = get_account(
        kind="income", organisation=enclave_company, currency="USD", actor=SYSTEM
    )

    entry = post_entry(
        date=D("2024-03-31"),
        description="Two currencies",
        lines=[
            (chart["cash"], 700),
            (chart["income"], -700),
            (usd_cash, 30),
            (usd_income, Money(-30, "USD")),
        ],
        actor=SYSTEM,
    )

    assert sorted(entry.postings.values_list("currency", flat=True)) == ["CNY", "CNY", "USD", "USD"]


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(100.0, id="float_case"),
        pytest.param(Decimal("100"), id="decimal_case"),
        pytest.param(Fraction(100), id="fraction_case"),
        pytest.param(np.float64(100), id="numpy_float_case"),
        pytest.param("100", id="text_case"),
        pytest.param(True, id="bool_case"),
        pytest.param(None, id="none_case"),
    ],
)
def test_amounts_that_are_not_integer_fen_are_refused(chart, amount):
    before = ledger_rows()

    with pytest.raises(InvalidEntry, match=r"Line 1: an amount is a whole number of fen \(int\)"):
        post_entry(
            date=D("2024-03-31"),
            description="x",
            lines=[(chart["cash"], amount), (chart["income"], -100)],
            actor=SYSTEM,
        )

    assert ledger_rows() == before


def test_numpy_integers_are_fen(chart):
    entry = post_entry(
        date=D("2024-03-31"),
        description="x",
        lines=[(chart["cash"], np.int64(100)), (chart["income"], -100)],
        actor=SYSTEM,
    )

    assert sorted(entry.postings.values_list("amount", flat=True)) == [-100, 100]


@pytest.mark.parametrize(
    ("lines", "error", "message"),
    [
        pytest.param(
            lambda c: [(c["cash"], 0), (c["income"], 0)],
            InvalidEntry,
            "Line 1: the amount is zero.",
            id="zero_case",
        ),
        pytest.param(
            lambda c: [(c["cash"], 100)],
            InvalidEntry,
            "An entry needs at least two lines.",
            id="one_line_case",
        ),
        pytest.param(
            lambda c: [], InvalidEntry, "An entry needs at least two lines.", id="no_lines_case"
        ),
        pytest.param(
            lambda c: [(c["cash"], 100), (999_999, -100)],
            UnknownAccount,
            "No such ledger account: 999999.",
            id="unknown_account_case",
        ),
        pytest.param(
            lambda c: [(c["cash"], 100), ("income", -100)],
            InvalidEntry,
            "Line 2: the account must be a saved Account or its pk.",
            id="account_by_name_case",
        ),
        pytest.param(
            lambda c: [(c["cash"], 100, "CNY"), (c["income"], -100)],
            InvalidEntry,
            "Line 1 is not an (account, amount) pair.",
            id="triple_case",
        ),
        pytest.param(
            lambda c: [(c["cash"], Money(100, "USD")), (c["income"], -100)],
            CurrencyMismatch,
            "Line 1: the amount is in USD but account",
            id="money_in_another_currency_case",
        ),
    ],
)
def test_malformed_lines_are_refused(chart, lines, error, message):
    before = ledger_rows()

    with pytest.raises(error) as refused:
        post_entry(date=D("2024-03-31"), description="x", lines=lines(chart), actor=SYSTEM)

    assert str(refused.value).startswith(message)
    assert ledger_rows() == before


def test_a_datetime_is_not_a_date(chart):
    from datetime import UTC, datetime

    with pytest.raises(InvalidEntry, match="must be a date"):
        post_entry(
            date=datetime(2024, 3, 31, tzinfo=UTC),
            description="x",
            lines=[(chart["cash"], 1), (chart["income"], -1)],
            actor=SYSTEM,
        )


def test_ledger_errors_are_value_errors():
    assert issubclass(LedgerError, ValueError)
    assert issubclass(UnbalancedEntry, LedgerError)


def test_posting_in_a_locked_period_is_refused(chart):
    """Locking March locks every day up to 2024-03-31, February included."""
    post_entry(
        date=D("2024-02-10"),
        description="Rent",
        lines=[(chart["cash"], 100), (chart["income"], -100)],
        actor=SYSTEM,
    )
    lock_period(2024, 2, actor=SYSTEM)
    lock_period(2024, 3, actor=SYSTEM)
    before = ledger_rows()

    for day in ("2024-03-31", "2024-02-10", "2023-12-31"):
        with pytest.raises(PeriodLocked, match="The period 2024-03 is locked"):
            post_entry(
                date=D(day),
                description="Late",
                lines=[(chart["cash"], 100), (chart["income"], -100)],
                actor=SYSTEM,
            )

    assert ledger_rows() == before
    entry = post_entry(
        date=D("2024-04-01"),
        description="On time",
        lines=[(chart["cash"], 100), (chart["income"], -100)],
        actor=SYSTEM,
    )
    assert entry.date == D("2024-04-01")


def test_the_same_idempotency_key_returns_the_first_entry_and_writes_once(chart):
    def post():
        return post_entry(
            date=D("2024-03-31"),
            description="Rent",
            idempotency_key="rent-2024-03",
            lines=[(chart["cash"], 100), (chart["income"], -100)],
            actor=SYSTEM,
        )

    first = post()
    again = post()

    assert again.pk == first.pk
    assert JournalEntry.objects.count() == 1
    assert Posting.objects.count() == 2
    assert entry_changes().count() == 1


def test_a_replay_with_the_lines_in_another_order_is_the_same_entry(chart):
    lines = [(chart["cash"], 100), (chart["income"], -60), (chart["income"], -40)]
    first = post_entry(
        date=D("2024-03-31"), description="Rent", lines=lines, idempotency_key="k", actor=SYSTEM
    )

    again = post_entry(
        date=D("2024-03-31"),
        description="Rent",
        lines=lines[::-1],
        idempotency_key="k",
        actor=SYSTEM,
    )

    assert again.pk == first.pk


@pytest.mark.parametrize(
    ("day", "amount"),
    [
        pytest.param("2024-03-30", 100, id="other_date_case"),
        pytest.param("2024-03-31", 101, id="other_amount_case"),
    ],
)
def test_reusing_a_key_for_another_entry_is_a_conflict(chart, day, amount):
    first = post_entry(
        date=D("2024-03-31"),
        description="Rent",
        idempotency_key="k",
        lines=[(chart["cash"], 100), (chart["income"], -100)],
        actor=SYSTEM,
    )

    with pytest.raises(IdempotencyConflict, match=f"already used for entry {first.pk}"):
        post_entry(
            date=D(day),
            description="Rent",
            idempotency_key="k",
            lines=[(chart["cash"], amount), (chart["income"], -amount)],
            actor=SYSTEM,
        )

    assert JournalEntry.objects.count() == 1


def test_a_replay_after_the_period_was_locked_still_returns_the_entry(chart):
    first = post_entry(
        date=D("2024-03-31"),
        description="Rent",
        idempotency_key="k",
        lines=[(chart["cash"], 100), (chart["income"], -100)],
        actor=SYSTEM,
    )
    lock_period(2024, 3, actor=SYSTEM)

    again = post_entry(
        date=D("2024-03-31"),
        description="Rent",
        idempotency_key="k",
        lines=[(chart["cash"], 100), (chart["income"], -100)],
        actor=SYSTEM,
    )

    assert again.pk == first.pk


def test_losing_the_idempotency_race_returns_the_winner(chart, monkeypatch):
    """The winner commits between our existence check and our insert: the unique key
    refuses our row inside a savepoint, and the winner's entry comes back."""
    from ledger import services

    lines = [(chart["cash"], 100), (chart["income"], -100)]
    winner = post_entry(
        date=D("2024-03-31"), description="Rent", lines=lines, idempotency_key="race", actor=SYSTEM
    )
    real_replayed = services._replayed
    calls = []

    def replayed(existing, *args):
        calls.append(existing.pk)
        return real_replayed(existing, *args)

    # Hide the winner from the first look-up only, as if it had not committed yet.
    real_filter = JournalEntry.objects.filter
    hidden = {"once": True}

    def filter_once(*args, **kwargs):
        if kwargs.get("idempotency_key") == "race" and hidden.pop("once", False):
            return JournalEntry.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(services, "_replayed", replayed)
    monkeypatch.setattr(JournalEntry.objects, "filter", filter_once)

    with transaction.atomic():  # the caller's transaction stays usable
        again = post_entry(
            date=D("2024-03-31"),
            description="Rent",
            lines=lines,
            idempotency_key="race",
            actor=SYSTEM,
        )
        assert JournalEntry.objects.count() == 1

    assert again.pk == winner.pk
    assert calls == [winner.pk]
    assert Posting.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "limit"), [("description", 500), ("source", 200), ("idempotency_key", 200)]
)
def test_texts_longer_than_their_columns_are_refused(chart, field, limit):
    kwargs = {"description": "x", field: "x" * (limit + 1)}

    with pytest.raises(InvalidEntry, match=f"longer than {limit} characters"):
        post_entry(
            date=D("2024-03-31"),
            lines=[(chart["cash"], 1), (chart["income"], -1)],
            **kwargs,
            actor=SYSTEM,
        )

    assert not JournalEntry.objects.exists()
