"""check_ledger: every invariant of the ledger, checked from the rows themselves.

The services and (on PostgreSQL) the triggers keep these true; this check is what an
auditor runs to show that they did, including after raw SQL on SQLite, where the triggers
cannot refuse a DELETE. Each check is one set-based query, except the snapshot check,
which runs one query per locked month.

The apps above the ledger add their own reconciliations of the ledger against their
records with `register_check` (from their AppConfig.ready, so the ledger never imports
them): ventures checks every posted distribution run's lines against its posted entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from ledger.models import BalanceSnapshot, JournalEntry, Period, Posting

__all__ = ["check_ledger", "register_check"]

#: Problems reported per check; the rest are counted.
REPORT_MAX = 20

#: Checks added by the apps above the ledger, run after the ledger's own, in order.
_REGISTERED: list[Callable[[], Iterable[str]]] = []


def register_check(check: Callable[[], Iterable[str]]) -> None:
    """Add a check to `check_ledger`: a callable yielding problems (translated text).

    For the apps above the ledger, which reconcile their records with its entries (their
    AppConfig.ready registers them). Registering the same callable twice adds it once.
    """
    if check not in _REGISTERED:
        _REGISTERED.append(check)


def check_ledger() -> list[str]:
    """Every ledger invariant; returns the problems found (an empty list means OK).

    Checks: each entry balances in every currency; each entry has at least two postings;
    postings are in their account's currency; a reversal mirrors its original exactly and
    is not dated before it; locked months are consecutive; snapshots exist only at the end
    of locked months, in their account's currency, and equal the balances recomputed from
    the postings; no entry dated in a locked month was created after the lock. Then the
    checks other apps registered (`register_check`), e.g. each posted distribution run
    against its entry.
    """
    problems: list[str] = []
    for check in (
        _unbalanced_entries,
        _short_entries,
        _posting_currencies,
        _reversals,
        _periods,
        _snapshots,
        _late_entries,
        *_REGISTERED,
    ):
        found = list(check())
        problems.extend(found[:REPORT_MAX])
        if len(found) > REPORT_MAX:
            problems.append(
                _("… and {count} more problems of the same kind.").format(
                    count=len(found) - REPORT_MAX
                )
            )
    return problems


def _unbalanced_entries():
    rows = (
        Posting.objects.order_by()
        .values("entry_id", "currency")
        .annotate(residual=Sum("amount"))
        .filter(~Q(residual=0))
        .order_by("entry_id", "currency")
    )
    for row in rows:
        yield _("Entry {entry} does not balance: residual {residual} fen in {currency}.").format(
            entry=row["entry_id"], residual=row["residual"], currency=row["currency"]
        )


def _short_entries():
    rows = (
        JournalEntry.objects.order_by()
        .annotate(lines=Count("postings"))
        .filter(lines__lt=2)
        .order_by("pk")
        .values_list("pk", "lines")
    )
    for pk, lines in rows:
        yield _("Entry {entry} has {count} postings; an entry needs at least two.").format(
            entry=pk, count=lines
        )


def _posting_currencies():
    rows = (
        Posting.objects.exclude(currency=F("account__currency"))
        .order_by("pk")
        .values_list("pk", "entry_id", "currency", "account_id", "account__currency")
    )
    for pk, entry, currency, account, account_currency in rows:
        yield _(
            "Posting {pk} of entry {entry} is in {currency} but account {account} is in "
            "{account_currency}."
        ).format(
            pk=pk,
            entry=entry,
            currency=currency,
            account=account,
            account_currency=account_currency,
        )


def _reversals():
    early = (
        JournalEntry.objects.filter(reverses__isnull=False, date__lt=F("reverses__date"))
        .order_by("pk")
        .values_list("pk", "reverses_id")
    )
    for pk, original in early:
        yield _("Reversal {pk} is dated before the entry {original} it reverses.").format(
            pk=pk, original=original
        )
    # Each (original, account, currency, amount) must occur as often among the original's
    # postings as (…, −amount) among the reversal's: +1 for one side, −1 for the other.
    qn = connection.ops.quote_name
    posting, entry = qn(Posting._meta.db_table), qn(JournalEntry._meta.db_table)
    sql = (
        f"SELECT original_id, account_id, currency, amount, SUM(side) FROM ("
        f"SELECT r.reverses_id AS original_id, p.account_id AS account_id, "
        f"p.currency AS currency, p.amount AS amount, 1 AS side "
        f"FROM {posting} p JOIN {entry} r ON r.reverses_id = p.entry_id "
        f"UNION ALL "
        f"SELECT r.reverses_id, p.account_id, p.currency, -p.amount, -1 "
        f"FROM {posting} p JOIN {entry} r ON r.id = p.entry_id WHERE r.reverses_id IS NOT NULL"
        f") t GROUP BY original_id, account_id, currency, amount HAVING SUM(side) <> 0 "
        f"ORDER BY original_id, account_id, amount"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        mismatched = sorted({row[0] for row in cursor.fetchall()})
    reversal_of = dict(
        JournalEntry.objects.filter(reverses_id__in=mismatched).values_list("reverses_id", "pk")
    )
    for original in mismatched:
        yield _("Reversal {pk} does not mirror the postings of entry {original}.").format(
            pk=reversal_of.get(original), original=original
        )


def _periods():
    months = list(Period.objects.order_by("year", "month").values_list("year", "month"))
    for (year, month), (next_year, next_month) in zip(months, months[1:], strict=False):
        expected = (year + month // 12, month % 12 + 1)
        if (next_year, next_month) != expected:
            yield _("Locked months skip from {year}-{month:02d} to {next}.").format(
                year=year, month=month, next=f"{next_year}-{next_month:02d}"
            )


def _snapshots():
    periods = list(Period.objects.order_by("year", "month"))
    ends = [period.ends_on for period in periods]
    stray = (
        BalanceSnapshot.objects.exclude(as_of__in=ends)
        .order_by("as_of")
        .values_list("as_of", flat=True)
        .distinct()
    )
    for day in stray:
        yield _("Balance snapshots at {date}, which is not the end of a locked month.").format(
            date=day.isoformat()
        )
    wrong_currency = (
        BalanceSnapshot.objects.exclude(currency=F("account__currency"))
        .order_by("pk")
        .values_list("account_id", "as_of")
    )
    for account, day in wrong_currency:
        yield _("The snapshot of account {account} at {date} is not in its currency.").format(
            account=account, date=day.isoformat()
        )
    # Month by month: snapshot(end) − snapshot(previous end) − postings in between must be
    # zero. An error found at one month is carried, so a snapshot rightly computed from a
    # wrong earlier one is reported too, and a right one after a wrong one is not.
    qn = connection.ops.quote_name
    snapshot = qn(BalanceSnapshot._meta.db_table)
    posting, entry = qn(Posting._meta.db_table), qn(JournalEntry._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    errors: dict[int, int] = defaultdict(int)
    previous = None
    for end in ends:
        params = [adapt(end)]
        parts = [f"SELECT account_id, balance AS x FROM {snapshot} WHERE as_of = %s"]
        if previous is not None:
            parts.append(f"SELECT account_id, -balance FROM {snapshot} WHERE as_of = %s")
            params.append(adapt(previous))
        since = "" if previous is None else "AND e.date > %s"
        parts.append(
            f"SELECT p.account_id, -p.amount FROM {posting} p JOIN {entry} e "
            f"ON e.id = p.entry_id WHERE e.date <= %s {since}"
        )
        params.append(adapt(end))
        if previous is not None:
            params.append(adapt(previous))
        sql = (
            f"SELECT account_id, SUM(x) FROM ({' UNION ALL '.join(parts)}) t "
            f"GROUP BY account_id HAVING SUM(x) <> 0"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for account, difference in cursor.fetchall():
                errors[account] += int(difference)
        for account in sorted(a for a, error in errors.items() if error):
            yield _(
                "The balance snapshot of account {account} at {date} is off by {error} fen "
                "from the postings."
            ).format(account=account, date=end.isoformat(), error=errors[account])
        errors = defaultdict(int, {a: e for a, e in errors.items() if e})
        previous = end


def _late_entries():
    covering = Period.objects.filter(locked_at__lt=OuterRef("created_at")).filter(
        Q(year__gt=ExtractYear(OuterRef("date")))
        | Q(year=ExtractYear(OuterRef("date")), month__gte=ExtractMonth(OuterRef("date")))
    )
    rows = JournalEntry.objects.filter(Exists(covering)).order_by("pk").values_list("pk", "date")
    for pk, day in rows:
        yield _("Entry {entry} dated {date} was created after that month was locked.").format(
            entry=pk, date=day.isoformat()
        )
