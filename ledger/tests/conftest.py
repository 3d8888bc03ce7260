"""Ledger fixtures: a small chart of accounts, and the COMMIT-time checks run in every test.

On PostgreSQL the balance checks are deferred to COMMIT, and a test's transaction is
rolled back, never committed: `deferred_checks_fire` runs them (SET CONSTRAINTS ALL
IMMEDIATE) at the end of every test that used the database, so each entry a test posts
is also checked by the database.
"""

from datetime import date

import pytest
from django.db import connection, transaction

from ledger.choices import AccountKind
from ledger.services import get_account

D = date.fromisoformat


@pytest.fixture(autouse=True)
def deferred_checks_fire(request):
    yield
    uses_db = "db" in request.fixturenames or "transactional_db" in request.fixturenames
    if not uses_db or connection.vendor != "postgresql" or connection.connection is None:
        return
    if not connection.in_atomic_block or connection.needs_rollback:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


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
        "cash": get_account(kind=AccountKind.CASH, **company),
        "income": get_account(kind=AccountKind.INCOME, **company),
        "owed_xujiadai": get_account(
            kind=AccountKind.DISTRIBUTION_PAYABLE, name=xujiadai.pk, **company
        ),
        "owed_fengshan": get_account(
            kind=AccountKind.DISTRIBUTION_PAYABLE, name=fengshan.pk, **company
        ),
        "xujiadai_cash": get_account(kind=AccountKind.CASH, village=xujiadai),
        "fengshan_cash": get_account(kind=AccountKind.CASH, village=fengshan),
    }
