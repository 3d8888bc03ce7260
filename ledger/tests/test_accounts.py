"""Accounts: one owner, unique per owner/kind/name/currency, found without log spam."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from audit.models import ObjectChange
from core.actors import SYSTEM
from ledger.choices import AccountKind
from ledger.exceptions import LedgerError, LedgerImmutable
from ledger.models import Account
from ledger.services import get_account, post_entry
from tests.support import D


@pytest.fixture(autouse=True)
def english():
    """These tests match the English error messages; the default language is Chinese."""
    with translation.override("en"):
        yield


def account_changes():
    return ObjectChange.objects.filter(content_type__model="account")


def test_get_account_creates_once_and_logs_only_the_creation(xujiadai):
    first = get_account(kind="cash", village=xujiadai, actor=SYSTEM)
    again = get_account(kind="cash", village=xujiadai, actor=SYSTEM)

    assert again.pk == first.pk
    assert Account.objects.count() == 1
    assert account_changes().count() == 1
    assert account_changes().get().action == "create"


def test_accounts_differ_by_name_currency_kind_and_owner(xujiadai, fengshan, enclave_company):
    accounts = {
        get_account(kind="cash", village=xujiadai, actor=SYSTEM),
        get_account(kind="cash", village=xujiadai, name="Savings", actor=SYSTEM),
        get_account(kind="cash", village=xujiadai, currency="USD", actor=SYSTEM),
        get_account(kind="income", village=xujiadai, actor=SYSTEM),
        get_account(kind="cash", village=fengshan, actor=SYSTEM),
        get_account(kind="cash", organisation=enclave_company, actor=SYSTEM),
    }

    assert len({a.pk for a in accounts}) == 6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"kind": "cash"}, "exactly one village or one organisation", id="no_owner_case"
        ),
        pytest.param(
            {"kind": "cash", "village": "V", "organisation": "O"},
            "exactly one village or one organisation",
            id="two_owners_case",
        ),
        pytest.param(
            {"kind": "bank", "village": "V"}, "Unknown account kind: bank.", id="unknown_kind_case"
        ),
        pytest.param(
            {"kind": "cash", "village": "V", "currency": "cny"},
            "three-letter code",
            id="currency_case",
        ),
    ],
)
def test_get_account_refuses_malformed_requests(xujiadai, enclave_company, kwargs, message):
    kwargs = {k: {"V": xujiadai, "O": enclave_company}.get(v, v) for k, v in kwargs.items()}

    with pytest.raises(LedgerError, match=message):
        get_account(**kwargs, actor=SYSTEM)


@pytest.mark.parametrize(
    "owners",
    [pytest.param({}, id="no_owner_case"), pytest.param("both", id="two_owners_case")],
)
def test_the_database_requires_exactly_one_owner(xujiadai, enclave_company, owners):
    if owners == "both":
        owners = {"village": xujiadai, "organisation": enclave_company}

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(kind="cash", **owners)


@pytest.mark.parametrize("owner", ["village", "organisation"])
def test_the_database_refuses_a_duplicate_account(xujiadai, enclave_company, owner):
    owned = {"village": xujiadai} if owner == "village" else {"organisation": enclave_company}
    Account.objects.create(kind="cash", name="A", **owned)

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(kind="cash", name="A", **owned)


@pytest.mark.parametrize(
    ("kind", "owner", "name", "currency", "expected"),
    [
        ("cash", "village", "", "CNY", "Assets:Village:330482107208:Cash"),
        ("income_receivable", "village", "", "CNY", "Assets:Village:330482107208:IncomeReceivable"),
        (
            "distribution_payable",
            "organisation",
            "330482107208",
            "CNY",
            "Liabilities:Organisation:{org}:DistributionPayable:330482107208",
        ),
        ("welfare", "village", "", "CNY", "Liabilities:Village:330482107208:Welfare"),
        ("capital", "village", "Phase-1", "CNY", "Equity:Village:330482107208:Capital:Phase-1"),
        ("equity", "organisation", "", "CNY", "Equity:Organisation:{org}:Equity"),
        ("reserve", "village", "", "CNY", "Equity:Village:330482107208:Reserve"),
        ("income", "organisation", "", "USD", "Income:Organisation:{org}:Income-USD"),
        ("expense", "village", "", "CNY", "Expenses:Village:330482107208:Expense"),
        ("cash", "village", "首期", "CNY", "Assets:Village:330482107208:Cash:Account-{pk}"),
        ("cash", "village", "savings", "CNY", "Assets:Village:330482107208:Cash:Account-{pk}"),
    ],
)
def test_beancount_names(xujiadai, enclave_company, kind, owner, name, currency, expected):
    owned = {"village": xujiadai} if owner == "village" else {"organisation": enclave_company}
    account = get_account(kind=kind, name=name, currency=currency, **owned, actor=SYSTEM)

    assert account.beancount_name == expected.format(org=enclave_company.pk, pk=account.pk)


def test_every_kind_has_a_beancount_root():
    from ledger.choices import BEANCOUNT_ROOT

    assert set(BEANCOUNT_ROOT) == set(AccountKind)


def test_an_account_with_postings_keeps_its_currency(chart):
    post_entry(
        date=D("2024-01-01"),
        description="x",
        lines=[(chart["cash"], 1), (chart["income"], -1)],
        actor=SYSTEM,
    )
    cash = chart["cash"]
    cash.name = "Main"
    cash.save()  # a rename is fine (and logged)

    cash.currency = "USD"
    with pytest.raises(LedgerImmutable, match="currency of an account with postings"):
        cash.save()

    assert Account.objects.get(pk=cash.pk).currency == "CNY"


def test_accounts_are_written_by_finance_in_scope(finance, clerk, enclave_company, xujiadai):
    company = get_account(kind="cash", organisation=enclave_company, actor=SYSTEM)
    village = get_account(kind="cash", village=xujiadai, actor=SYSTEM)

    assert list(Account.objects.restrict(finance, "change")) == [company]
    assert list(Account.objects.restrict(clerk, "change")) == []
    assert set(Account.objects.restrict(clerk, "view")) == {company, village}
