"""The ledger's reads: what other apps (ventures, reports, analytics) ask of the books.

    balances        balances of accounts at the end of a day, from snapshots (set-based)
    trial_balance   every account's balance as debit/credit columns that sum to zero
    locked_through  the last day of the latest locked month
    check_ledger    every invariant, as a list of problems (ledger.checks)

Amounts are integer fen: + debit, − credit. Nothing here writes; the writes (accounts,
entries, reversals, locks) are `ledger.services`.
"""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime

from django.db import connection, models
from django.utils.translation import gettext as _

from ledger.checks import check_ledger
from ledger.exceptions import InvalidEntry
from ledger.models import Account, BalanceSnapshot, JournalEntry, Period, Posting, month_end

__all__ = [
    "balances",
    "check_date",
    "check_ledger",
    "db_date",
    "locked_through",
    "trial_balance",
]

#: Account filters longer than this are applied in Python after one unfiltered query.
FILTER_IN_SQL_MAX = 1000


def check_date(value) -> None:
    """Refuse anything but a `datetime.date` (a datetime too) with `InvalidEntry`."""
    if isinstance(value, datetime) or not isinstance(value, date_type):
        raise InvalidEntry(
            _("An entry's date must be a date (not a datetime), got {value!r}.").format(value=value)
        )


def db_date(day: date_type):
    """`day` as the database driver takes it in raw SQL."""
    return connection.ops.adapt_datefield_value(day)


def locked_through() -> date_type | None:
    """The last day of the latest locked month (nothing may be posted on or before it)."""
    latest = Period.objects.order_by("-year", "-month").values_list("year", "month").first()
    return month_end(*latest) if latest else None


def _latest_snapshot_on_or_before(day: date_type) -> date_type | None:
    return (
        BalanceSnapshot.objects.filter(as_of__lte=day)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )


def _balance_rows(as_of: date_type, *, currency: str | None, accounts) -> dict[int, int]:
    """account pk → balance at the end of `as_of`: latest snapshot + later postings.

    Two queries whatever the number of accounts: the snapshot date, then one UNION ALL
    of that snapshot's rows and the postings after it, grouped by account.
    """
    qn = connection.ops.quote_name
    snapshot_table = qn(BalanceSnapshot._meta.db_table)
    posting_table = qn(Posting._meta.db_table)
    entry_table = qn(JournalEntry._meta.db_table)
    snapshot_day = _latest_snapshot_on_or_before(as_of)

    snapshot_where, posting_where = [], ["e.date <= %s"]
    snapshot_params: list = []
    posting_params: list = [db_date(as_of)]
    if snapshot_day is not None:
        snapshot_where.append("s.as_of = %s")
        snapshot_params.append(db_date(snapshot_day))
        posting_where.append("e.date > %s")
        posting_params.append(db_date(snapshot_day))
    else:
        snapshot_where.append("1 = 0")
    if currency is not None:
        snapshot_where.append("s.currency = %s")
        snapshot_params.append(currency)
        posting_where.append("p.currency = %s")
        posting_params.append(currency)
    if accounts is not None:
        if isinstance(accounts, models.QuerySet):
            sub_sql, sub_params = accounts.order_by().values("pk").query.sql_with_params()
            snapshot_where.append(f"s.account_id IN ({sub_sql})")
            snapshot_params.extend(sub_params)
            posting_where.append(f"p.account_id IN ({sub_sql})")
            posting_params.extend(sub_params)
        elif len(accounts) <= FILTER_IN_SQL_MAX:
            marks = ", ".join(["%s"] * len(accounts)) or "NULL"
            snapshot_where.append(f"s.account_id IN ({marks})")
            snapshot_params.extend(accounts)
            posting_where.append(f"p.account_id IN ({marks})")
            posting_params.extend(accounts)
    sql = (
        f"SELECT account_id, CAST(SUM(amount) AS BIGINT) FROM ("
        f"SELECT s.account_id AS account_id, s.balance AS amount FROM {snapshot_table} s "
        f"WHERE {' AND '.join(snapshot_where)} "
        f"UNION ALL "
        f"SELECT p.account_id AS account_id, p.amount AS amount FROM {posting_table} p "
        f"JOIN {entry_table} e ON e.id = p.entry_id WHERE {' AND '.join(posting_where)}"
        f") t GROUP BY account_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, snapshot_params + posting_params)
        return {account_id: int(total) for account_id, total in cursor.fetchall()}


def _account_pks(accounts) -> list[int] | models.QuerySet:
    if isinstance(accounts, models.QuerySet):
        return accounts
    pks = []
    for account in accounts:
        pks.append(account.pk if isinstance(account, Account) else int(account))
    return pks


def balances(*, as_of, accounts=None, currency: str = "CNY") -> dict[int, int]:
    """Balances in fen at the end of `as_of` (inclusive), from snapshots: two queries.

    Args:
      as_of: A date; postings dated that day count.
      accounts: None (all accounts), an iterable of Accounts or pks, or an Account
        queryset (used as a subquery).
      currency: Only accounts in this currency.
    Returns:
      {account pk: balance}. With an iterable of accounts every one of them is a key (0
      when it has no postings yet); otherwise the accounts with postings up to `as_of`.
    """
    check_date(as_of)
    if accounts is None:
        return _balance_rows(as_of, currency=currency, accounts=None)
    pks = _account_pks(accounts)
    rows = _balance_rows(as_of, currency=currency, accounts=pks)
    if isinstance(pks, models.QuerySet):
        return rows
    return {pk: rows.get(pk, 0) for pk in pks}


def trial_balance(*, as_of) -> list[dict]:
    """Every account with postings up to `as_of`, its balance split into debit and credit.

    A positive balance shows as a debit, a negative one as a credit, so per currency the
    debit column equals the credit column and the balances sum to zero.

    Returns:
      Rows ordered by currency and account pk: {"account", "name", "kind", "currency",
      "owner", "village", "organisation", "beancount_name", "debit", "credit", "balance"}.
    """
    check_date(as_of)
    rows = _balance_rows(as_of, currency=None, accounts=None)
    accounts = Account.objects.select_related("village", "organisation").order_by("pk")
    result = []
    for account in accounts.iterator(chunk_size=5000):
        if account.pk not in rows:
            continue
        balance = rows[account.pk]
        result.append(
            {
                "account": account.pk,
                "name": account.name,
                "kind": account.kind,
                "currency": account.currency,
                "owner": str(account.owner),
                "village": account.village_id,
                "organisation": account.organisation_id,
                "beancount_name": account.beancount_name,
                "debit": max(balance, 0),
                "credit": max(-balance, 0),
                "balance": balance,
            }
        )
    result.sort(key=lambda row: (row["currency"], row["account"]))
    return result
