"""Ledger fixtures: a small chart of accounts.

On PostgreSQL the balance checks are deferred to COMMIT, and a test's transaction is
rolled back, never committed: the root conftest's `deferred_checks_fire` runs them (SET
CONSTRAINTS ALL IMMEDIATE) at the end of every test that used the database, so each entry a
test posts is also checked by the database.
"""

import pytest
from django.utils import translation

from core.actors import SYSTEM
from ledger.choices import AccountKind
from ledger.services import get_account


@pytest.fixture
def chart(xujiadai, fengshan, enclave_company):
    """The enclave company's cash and income, its payables to two villages, their cash.

    Beancount names:
      Assets:Organisation:<pk>:Cash                         company bank account
      Income:Organisation:<pk>:Income                       rent from the enclave park
      Liabilities:Organisation:<pk>:DistributionPayable:X   owed to 徐家埭村 / 峰山村
      Assets:Village:330482107208:Cash                      徐家埭村's bank account
    """
    company = {"organisation": enclave_company}
    return {
        "cash": get_account(kind=AccountKind.CASH, **company, actor=SYSTEM),
        "income": get_account(kind=AccountKind.INCOME, **company, actor=SYSTEM),
        "owed_xujiadai": get_account(
            kind=AccountKind.DISTRIBUTION_PAYABLE, name=xujiadai.pk, **company, actor=SYSTEM
        ),
        "owed_fengshan": get_account(
            kind=AccountKind.DISTRIBUTION_PAYABLE, name=fengshan.pk, **company, actor=SYSTEM
        ),
        "xujiadai_cash": get_account(kind=AccountKind.CASH, village=xujiadai, actor=SYSTEM),
        "fengshan_cash": get_account(kind=AccountKind.CASH, village=fengshan, actor=SYSTEM),
    }


@pytest.fixture(autouse=True)
def in_english(default_language):
    """These tests match refusals by their English msgids (the ledger's messages are English
    msgids translated when raised)."""
    with translation.override("en"):
        yield
