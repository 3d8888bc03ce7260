"""Money in: contributions (cash, land quota, subsidy-funded equity) and income receipts,
each posted to the ledger as it is recorded.

    2018-01-10 峰山村 contributes 1,500,000.00 in cash
      Assets:Organisation:<co>:Cash:Venture-<v>                        1,500,000.00
      Equity:Organisation:<co>:Capital:Venture-<v>-Village-331121201201 -1,500,000.00
"""

import pytest

from core.actors import SYSTEM
from ledger.choices import AccountKind
from ledger.models import Account, JournalEntry, Posting
from ledger.selectors import balances
from ledger.services import lock_period
from tests.support import D
from ventures import selectors, services
from ventures.exceptions import LedgerRefused, NotAllowed, VentureError
from ventures.models import Contribution, IncomeReceipt
from ventures.tests.support import FENGSHAN, XUJIADAI, snapshot


def postings(entry) -> list[tuple[str, str, int]]:
    """(kind, name, amount) of an entry's postings, in posting order."""
    return list(
        Posting.objects.filter(entry=entry)
        .order_by("pk")
        .values_list("account__kind", "account__name", "amount")
    )


def test_a_cash_contribution_debits_venture_cash_and_credits_the_holders_capital(
    venture, tree, finance
):
    contribution = services.record_contribution(
        venture,
        holder=f"village:{FENGSHAN}",
        kind="cash",
        amount=150_000_000,
        contributed_on=D("2018-01-10"),
        actor=finance,
    )

    v = venture.pk
    assert postings(contribution.entry) == [
        ("cash", f"Venture-{v}", 150_000_000),
        ("capital", f"Venture-{v}-Village-{FENGSHAN}", -150_000_000),
    ]
    assert contribution.entry.date == D("2018-01-10")
    assert contribution.entry.created_by == finance
    assert Account.objects.filter(organisation=venture.organisation).count() == 2


def test_land_quota_and_subsidy_equity_are_kept_apart_from_cash(venture, tree, finance):
    land = services.record_contribution(
        venture,
        holder=f"village:{FENGSHAN}",
        kind="land_quota",
        amount=30_000_000,
        contributed_on=D("2018-01-10"),
        actor=finance,
    )
    subsidy = services.record_contribution(
        venture,
        holder=f"village:{FENGSHAN}",
        kind="subsidy_equity",
        amount=20_000_000,
        contributed_on=D("2018-01-10"),
        actor=finance,
    )

    v = venture.pk
    assert postings(land.entry) == [
        ("cash", f"Venture-{v}-LandQuota", 30_000_000),
        ("capital", f"Venture-{v}-Village-{FENGSHAN}", -30_000_000),
    ]
    assert postings(subsidy.entry) == [
        ("cash", f"Venture-{v}", 20_000_000),
        ("capital", f"Venture-{v}-Village-{FENGSHAN}", -20_000_000),
    ]
    assert sorted(Contribution.objects.values_list("kind", "amount")) == [
        ("land_quota", 30_000_000),
        ("subsidy_equity", 20_000_000),
    ]


def test_income_debits_cash_and_credits_venture_income(venture, finance, enclave_company):
    receipt = services.record_income(
        venture,
        amount=100_000_000,
        received_on=D("2023-12-20"),
        kind="rent",
        payer=enclave_company,
        actor=finance,
    )

    v = venture.pk
    assert postings(receipt.entry) == [
        ("cash", f"Venture-{v}", 100_000_000),
        ("income", f"Venture-{v}", -100_000_000),
    ]
    income = Account.objects.get(kind=AccountKind.INCOME, name=f"Venture-{v}")
    assert balances(as_of=D("2023-12-31"), accounts=[income]) == {income.pk: -100_000_000}
    assert selectors.undistributed(venture, D("2023-12-31")) == 100_000_000
    assert selectors.undistributed(venture, D("2023-12-19")) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (-100, "more than zero"),
        (0, "more than zero"),
        (1.5, "whole number of fen"),
        ("100", "whole number of fen"),
        (True, "whole number of fen"),
    ],
)
def test_negative_zero_or_non_integer_income_is_refused_and_nothing_changes(
    venture, finance, amount, message
):
    before = snapshot()

    with pytest.raises(VentureError, match=message):
        services.record_income(venture, amount=amount, received_on=D("2023-12-20"), actor=finance)

    assert snapshot() == before


def test_income_with_a_backwards_period_or_unknown_kind_is_refused(venture, finance):
    before = snapshot()

    with pytest.raises(VentureError, match="ends before it starts"):
        services.record_income(
            venture,
            amount=1,
            received_on=D("2023-12-20"),
            period_start=D("2023-12-01"),
            period_end=D("2023-11-30"),
            actor=finance,
        )
    with pytest.raises(VentureError, match="Unknown income kind"):
        services.record_income(
            venture, amount=1, received_on=D("2023-12-20"), kind="gift", actor=finance
        )

    assert snapshot() == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": -1}, "more than zero"),
        ({"kind": "labour"}, "Unknown contribution kind"),
        ({"holder": "village:999999999999"}, "No such holder"),
    ],
)
def test_bad_contributions_are_refused_and_nothing_changes(venture, tree, finance, kwargs, message):
    arguments = {
        "holder": f"village:{XUJIADAI}",
        "kind": "cash",
        "amount": 100,
        "contributed_on": D("2018-01-10"),
        **kwargs,
    }
    before = snapshot()

    with pytest.raises(VentureError, match=message):
        services.record_contribution(venture, actor=finance, **arguments)

    assert snapshot() == before


def test_writing_into_a_locked_period_is_refused_by_the_ledger_and_nothing_changes(
    venture, finance, tree
):
    services.record_income(venture, amount=100, received_on=D("2023-12-20"), actor=finance)
    lock_period(2023, 12, actor=SYSTEM)
    before = snapshot()

    with pytest.raises(LedgerRefused, match="locked"):
        services.record_income(venture, amount=100, received_on=D("2023-12-31"), actor=finance)
    with pytest.raises(LedgerRefused, match="locked"):
        services.record_contribution(
            venture,
            holder=f"village:{XUJIADAI}",
            kind="cash",
            amount=100,
            contributed_on=D("2023-06-01"),
            actor=finance,
        )

    assert snapshot() == before
    assert IncomeReceipt.objects.count() == 1


@pytest.mark.parametrize("persona", ["clerk", "auditor", "approver"])
def test_only_finance_records_money(venture, tree, request, persona):
    user = request.getfixturevalue(persona)
    before = snapshot()

    with pytest.raises(NotAllowed):
        services.record_income(venture, amount=100, received_on=D("2023-12-20"), actor=user)
    with pytest.raises(NotAllowed):
        services.record_contribution(
            venture,
            holder=f"village:{XUJIADAI}",
            kind="cash",
            amount=100,
            contributed_on=D("2018-01-10"),
            actor=user,
        )

    assert snapshot() == before
    assert JournalEntry.objects.count() == 0
