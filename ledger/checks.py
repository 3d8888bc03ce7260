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
from datetime import date

from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from ledger.models import Account, BalanceSnapshot, JournalEntry, Period, Posting, month_end

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
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # These are index probes per row (runs, lines) that PostgreSQL's cost model
            # prices high enough to JIT-compile; the compiling took seconds, the query
            # itself a fraction of that.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return _problems()


def _problems() -> list[str]:
    problems: list[str] = []
    scan = _EntryScan()
    for check in (
        scan.unbalanced,
        scan.short,
        lambda: _posting_currencies(scan),
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


class _EntryScan:
    """One pass over the postings, grouped by entry, for the entry checks.

    The usual ledger holds one currency: then a single grouped pass over the covering
    index (entry, id, amount) counts each entry's postings and sums them, and counts the
    groups. When every group has two or more postings summing to zero and there are as
    many groups as entries (postings always name an entry that exists), every entry
    balances and has two postings: nothing more is read. Otherwise (rare) the offending
    entries are listed by a second query. A posting in another currency is found by the
    partial index on such postings; then the entries are checked currency by currency.
    """

    MAIN = "CNY"

    def __init__(self):
        self._rows = None
        self._foreign = None

    def foreign_currencies(self) -> bool:
        """Whether any posting is in another currency than the main one."""
        if self._foreign is None:
            self._foreign = Posting.objects.exclude(currency=self.MAIN).exists()
        return self._foreign

    def rows(self):
        """(entry, postings, main-currency sum, postings in other currencies) of each entry
        that is short or does not balance; entries with no posting come as (entry, 0, 0, 0)."""
        if self._rows is None:
            self._rows = self._read()
        return self._rows

    def _read(self) -> list[tuple[int, int, int, int]]:
        qn = connection.ops.quote_name
        posting, entry_table = qn(Posting._meta.db_table), qn(JournalEntry._meta.db_table)
        with connection.cursor() as cursor:
            if not self.foreign_currencies():
                cursor.execute(
                    f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN n < 2 OR total <> 0 THEN 1 "
                    f"ELSE 0 END), 0) FROM (SELECT entry_id, COUNT(*) AS n, SUM(amount) AS "
                    f"total FROM {posting} GROUP BY entry_id) t"
                )
                groups, bad = cursor.fetchone()
                cursor.execute(f"SELECT COUNT(*) FROM {entry_table}")
                (entries,) = cursor.fetchone()
                if not bad and groups == entries:
                    return []
            cursor.execute(
                f"SELECT entry_id, COUNT(*), "
                f"SUM(CASE WHEN currency = %s THEN amount ELSE 0 END), "
                f"SUM(CASE WHEN currency = %s THEN 0 ELSE 1 END) "
                f"FROM {posting} GROUP BY entry_id HAVING COUNT(*) < 2 "
                f"OR SUM(CASE WHEN currency = %s THEN amount ELSE 0 END) <> 0 "
                f"OR SUM(CASE WHEN currency = %s THEN 0 ELSE 1 END) > 0 ORDER BY entry_id",
                [self.MAIN] * 4,
            )
            rows = [tuple(int(v) for v in row) for row in cursor.fetchall()]
            cursor.execute(
                f"SELECT e.id FROM {entry_table} e WHERE NOT EXISTS "
                f"(SELECT 1 FROM {posting} p WHERE p.entry_id = e.id)"
            )
            rows.extend((pk, 0, 0, 0) for (pk,) in cursor.fetchall())
        return sorted(rows)

    def unbalanced(self):
        simple = {entry: total for entry, n, total, others in self.rows() if n and not others}
        mixed = [entry for entry, _n, _total, others in self.rows() if others]
        residuals = [(entry, self.MAIN, total) for entry, total in simple.items() if total]
        if mixed:
            rows = (
                Posting.objects.filter(entry_id__in=mixed)
                .order_by()
                .values("entry_id", "currency")
                .annotate(residual=Sum("amount"))
                .filter(~Q(residual=0))
                .values_list("entry_id", "currency", "residual")
            )
            residuals.extend(rows)
        for entry, currency, residual in sorted(residuals):
            yield _(
                "Entry {entry} does not balance: residual {residual} fen in {currency}."
            ).format(entry=entry, residual=residual, currency=currency)

    def short(self):
        for entry, count, _total, _others in self.rows():
            if count < 2:
                yield _("Entry {entry} has {count} postings; an entry needs at least two.").format(
                    entry=entry, count=count
                )


def _posting_currencies(scan: _EntryScan):
    # A posting can differ from its account's currency only if one of them is not the
    # main currency: when neither is (the usual ledger), nothing needs joining.
    if not scan.foreign_currencies() and not (
        Account.objects.exclude(currency=_EntryScan.MAIN).exists()
    ):
        return
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
    # CROSS JOIN: SQLite then reads the (few) reversal entries first and their postings by
    # the entry index, instead of every posting.
    qn = connection.ops.quote_name
    posting, entry = qn(Posting._meta.db_table), qn(JournalEntry._meta.db_table)
    sql = (
        f"SELECT original_id, account_id, currency, amount, SUM(side) FROM ("
        f"SELECT r.reverses_id AS original_id, p.account_id AS account_id, "
        f"p.currency AS currency, p.amount AS amount, 1 AS side "
        f"FROM {entry} r CROSS JOIN {posting} p "
        f"WHERE r.reverses_id IS NOT NULL AND p.entry_id = r.reverses_id "
        f"UNION ALL "
        f"SELECT r.reverses_id, p.account_id, p.currency, -p.amount, -1 "
        f"FROM {entry} r CROSS JOIN {posting} p "
        f"WHERE r.reverses_id IS NOT NULL AND p.entry_id = r.id"
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
    """Entries dated in a locked month but created after a lock covering that month.

    A lock covers its own month and every month before it, so an entry of month m is late
    when it was created after the earliest lock of m or of any later month. That earliest
    lock is computed per locked month in Python (a few hundred months), then one query
    joins the entries to those (month, lock) rows by date range: on the date index, it
    reads only the entries of locked months.
    """
    periods = list(
        Period.objects.order_by("year", "month").values_list("year", "month", "locked_at")
    )
    if not periods:
        return
    bounds, earliest = [], None
    for year, month, locked_at in reversed(periods):
        earliest = locked_at if earliest is None else min(earliest, locked_at)
        bounds.append((date(year, month, 1), month_end(year, month), earliest))
    ops = connection.ops
    entry = ops.quote_name(JournalEntry._meta.db_table)
    if connection.vendor == "postgresql":
        row = "(CAST(%s AS date), CAST(%s AS date), CAST(%s AS timestamptz))"
    else:
        row = "(%s, %s, %s)"
    params = [
        value
        for start, end, locked_at in bounds
        for value in (
            ops.adapt_datefield_value(start),
            ops.adapt_datefield_value(end),
            ops.adapt_datetimefield_value(locked_at),
        )
    ]
    sql = (
        f"SELECT e.id, e.date FROM (VALUES {', '.join([row] * len(bounds))}) AS v "
        f"JOIN {entry} e ON e.date >= v.column1 AND e.date <= v.column2 "
        f"WHERE e.created_at > v.column3 ORDER BY e.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    for pk, day in found:
        if isinstance(day, str):
            day = date.fromisoformat(day)
        yield _("Entry {entry} dated {date} was created after that month was locked.").format(
            entry=pk, date=day.isoformat()
        )
