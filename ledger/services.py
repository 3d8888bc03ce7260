"""The ledger's writes: what other apps (ventures) call to keep books.

    get_account   find or create an account of a village or organisation
    get_accounts  find or create many accounts of one organisation at once
    post_entry    post a balanced entry (atomic, idempotent, bulk-written)
    reverse_entry post the mirror of an entry, linked to it
    lock_period   lock the next month and snapshot every balance at its end

The reads (balances, trial balance, the locked horizon, the invariant checks) are
`ledger.selectors`; the language entries are written in is `ledger.books`.

Every function takes the acting user (or `core.actors.SYSTEM`) as a required `actor` and
refuses a missing one before anything else. Amounts are integer fen: + debit, − credit.
Every function owns its transaction (it runs inside the caller's, if any, as a savepoint)
and writes its change-log row there.

Concurrency: on PostgreSQL `post_entry` holds a shared advisory lock and `lock_period` an
exclusive one until their transactions end, so a month cannot be locked while an entry
dated in it is being written. SQLite runs one writer at a time (IMMEDIATE transactions).
"""

from __future__ import annotations

import dataclasses
import hashlib
import numbers
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date as date_type
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.context import change_context, current
from audit.models import ObjectChange
from audit.services import log_bulk, record
from core.actors import as_user, require_actor
from core.db import bulk_insert, is_postgres
from ledger.books import books_language
from ledger.choices import AccountKind
from ledger.exceptions import (
    AlreadyReversed,
    CurrencyMismatch,
    IdempotencyConflict,
    InvalidEntry,
    LedgerError,
    LockOrderError,
    PeriodLocked,
    UnbalancedEntry,
    UnknownAccount,
)
from ledger.models import Account, BalanceSnapshot, JournalEntry, Period, Posting, month_end
from ledger.selectors import check_date, db_date, locked_through
from lib.money import Money

__all__ = [
    "get_account",
    "get_accounts",
    "lock_period",
    "post_entry",
    "reverse_entry",
]

#: The advisory lock that orders posting against period locking (PostgreSQL). "LEDG".
ADVISORY_LOCK_KEY = 0x4C454447
#: Entries with at most this many lines keep their lines in the change-log row.
LOGGED_LINES_MAX = 20
#: Account pks per lookup query (well under SQLite's and PostgreSQL's parameter limits).
LOOKUP_CHUNK = 5000

_CURRENCY = re.compile(r"[A-Z]{3}")

Line = tuple[Account | int, int]


# ---------------------------------------------------------------------------------------------
# Accounts


# Names per IN (...) lookup: well under SQLite's limit on query parameters.
_NAME_CHUNK = 5_000


def get_account(
    *,
    kind: str,
    village=None,
    organisation=None,
    name: str = "",
    currency: str = "CNY",
    actor,
) -> Account:
    """The account of this owner, kind, name and currency, created on first use.

    Args:
      kind: An `AccountKind` value.
      village / organisation: The owner; exactly one must be given.
      name: Tells apart accounts of one kind and owner (e.g. a holder's code); may be "".
      currency: ISO 4217 code.
      actor: Who acts (a user or SYSTEM); the change-log actor if the context has none.
    Returns:
      The account. Only a creation is change-logged; finding one writes nothing.
    Raises:
      NotAllowed: no actor.
      LedgerError: no owner or two owners, an unknown kind or a malformed currency.
    """
    actor = require_actor(actor)
    if (village is None) == (organisation is None):
        raise LedgerError(_("An account belongs to exactly one village or one organisation."))
    if kind not in AccountKind.values:
        raise LedgerError(_("Unknown account kind: {kind}.").format(kind=kind))
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise LedgerError(_("A currency is a three-letter code such as CNY."))
    if not isinstance(name, str):
        raise LedgerError(_("An account name is text."))
    lookup = {
        "kind": kind,
        "village": village,
        "organisation": organisation,
        "name": name,
        "currency": currency,
    }
    account = Account.objects.filter(**lookup).first()
    if account is None:
        # get_or_create: a concurrent creator's row is found again instead of failing.
        with _acting(actor):
            account, _created = Account.objects.get_or_create(**lookup)
    return account


def get_accounts(
    *, kind: str, organisation, names: Iterable[str], currency: str = "CNY", actor
) -> dict[str, int]:
    """Many accounts of one organisation and kind at once: name → pk, creating the missing.

    The bulk form of `get_account` for a distribution's 20,000 holder accounts: found in
    chunked queries, the missing ones written in one bulk insert and change-logged in bulk.
    The caller serialises concurrent creation (e.g. by holding its venture row lock).

    Args:
      kind: An `AccountKind` value.
      organisation: The owner (an Organisation or its pk).
      names: The account names wanted.
      currency: ISO 4217 code.
      actor: Who acts (a user or SYSTEM).
    Returns:
      {name: account pk} for every name given.
    """
    actor = require_actor(actor)
    if kind not in AccountKind.values:
        raise LedgerError(_("Unknown account kind: {kind}.").format(kind=kind))
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise LedgerError(_("A currency is a three-letter code such as CNY."))
    organisation_id = getattr(organisation, "pk", organisation)
    wanted = sorted(set(names))
    base = Account.objects.filter(
        kind=kind, organisation_id=organisation_id, village__isnull=True, currency=currency
    ).order_by()

    def lookup() -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(wanted), _NAME_CHUNK):
            found.update(
                base.filter(name__in=wanted[start : start + _NAME_CHUNK]).values_list("name", "pk")
            )
        return found

    found = lookup()
    missing = [name for name in wanted if name not in found]
    if not missing:
        return found
    fields = ["name", "kind", "currency", "village_id", "organisation_id"]
    rows = [(name, kind, currency, None, organisation_id) for name in missing]
    bulk_insert(Account, fields, rows)
    found = lookup()
    label = AccountKind(kind).label
    with _acting(actor):
        log_bulk(
            Account,
            (
                (
                    ObjectChange.Action.CREATE,
                    found[row[0]],
                    f"{organisation_id} {label} {row[0]}",
                    None,
                    dict(zip(["id", *fields], (found[row[0]], *row), strict=True)),
                )
                for row in rows
            ),
        )
    return found


# ---------------------------------------------------------------------------------------------
# Posting


def post_entry(
    *,
    date,
    description: str,
    lines: Sequence[Line],
    actor,
    idempotency_key: str | None = None,
    source: str = "",
) -> JournalEntry:
    """Post one balanced entry: its postings, its change-log row, all or nothing.

    Example (lines are (account, fen); + debit, − credit)::

        2024-03-31 income received from the enclave park
          Assets:Organisation:7:Cash            1,000,000.00
          Income:Organisation:7:Income         -1,000,000.00

    Args:
      date: The entry's date (a `datetime.date`, not a datetime).
      description: What happened, for people.
      lines: (account or account pk, amount) pairs; at least two. Amounts are int fen
        (a `lib.money.Money` is accepted too, and must be in the account's currency);
        floats, Decimals and zero are refused. The postings keep the lines' order.
      actor: Who posts (a user, or SYSTEM); also the change-log actor if the context
        has none. SYSTEM leaves `created_by` empty.
      idempotency_key: Posting again with a key already used returns the entry posted
        then, writing nothing; with other lines or another date it raises
        `IdempotencyConflict`. Safe under concurrency (the key is unique in the database).
      source: What posted it, as app.model:pk (e.g. "ventures.distributionrun:12").
    Returns:
      The posted entry (or the earlier one with the same idempotency key).
    Raises:
      InvalidEntry: too few lines, an amount that is not integer fen, a zero amount.
      UnknownAccount: an account that does not exist.
      CurrencyMismatch: a Money amount in another currency than its account.
      UnbalancedEntry: the amounts do not sum to zero in some currency (the message
        lists the residual per currency); nothing is written.
      PeriodLocked: the date is on or before the end of the latest locked month.
      NotAllowed: no actor.
    """
    actor = require_actor(actor)
    return _post(
        date=date,
        description=description,
        lines=lines,
        actor=actor,
        idempotency_key=idempotency_key,
        source=source,
        reverses=None,
    )


def reverse_entry(
    entry,
    *,
    date,
    description: str = "",
    actor,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Post the mirror of `entry` (every amount negated), linked to it by `reverses`.

    Rules: an entry is reversed at most once (the link is unique in the database, so two
    concurrent reversals cannot both succeed). A reversal is itself an entry and may be
    reversed once in turn, which re-instates the original's effect; the chain stays
    linear (A ← reversal of A ← reversal of that). A reversal is dated on or after the
    entry it reverses, in an open period; the original may lie in a locked one. It keeps
    the original's `source`, so everything posted for one run is found together.

    Args:
      entry: The JournalEntry (or its pk) to reverse.
      date: The reversal's date.
      description: Defaults to "Reversal of entry <pk>: <description>".
      actor, idempotency_key: As for `post_entry`.
    Returns:
      The reversal.
    Raises:
      AlreadyReversed: the entry has been reversed already.
      PeriodLocked: `date` is in a locked period.
      InvalidEntry: `date` is before the entry's date.
      NotAllowed: no actor.
    """
    actor = require_actor(actor)
    if not isinstance(entry, JournalEntry):
        entry = JournalEntry.objects.get(pk=entry)
    check_date(date)
    if idempotency_key is not None:
        existing = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.reverses_id != entry.pk:
                raise IdempotencyConflict(idempotency_key, existing.pk)
            return existing
    if date < entry.date:
        raise InvalidEntry(
            _("A reversal cannot be dated before the entry it reverses ({date}).").format(
                date=entry.date.isoformat()
            )
        )
    by = JournalEntry.objects.filter(reverses=entry).values_list("pk", flat=True).first()
    if by is not None:
        raise AlreadyReversed(entry.pk, by)
    lines = [
        (account_id, -amount)
        for account_id, amount in entry.postings.order_by("pk").values_list("account_id", "amount")
    ]
    if not description:
        with books_language():
            description = _("Reversal of entry {pk}: {description}").format(
                pk=entry.pk, description=entry.description
            )[:500]
    return _post(
        date=date,
        description=description,
        lines=lines,
        actor=actor,
        idempotency_key=idempotency_key,
        source=entry.source,
        reverses=entry,
    )


def _amount_error(number: int, value) -> InvalidEntry:
    return InvalidEntry(
        _("Line {number}: an amount is a whole number of fen (int), not {type} {value}.").format(
            number=number, type=type(value).__name__, value=repr(value)
        )
    )


def _normalise(lines: Iterable[Line]) -> tuple[list[int], list[int], dict[int, str]]:
    """Split lines into account pks and fen amounts, refusing anything but int fen.

    Returns (pks, amounts, currencies that Money amounts named, by line index).
    """
    if isinstance(lines, (str, bytes)):
        raise InvalidEntry(_("Lines are (account, amount) pairs."))
    pks: list[int] = []
    amounts: list[int] = []
    named: dict[int, str] = {}
    for index, line in enumerate(lines):
        number = index + 1
        try:
            account, amount = line
        except (TypeError, ValueError):
            raise InvalidEntry(
                _("Line {number} is not an (account, amount) pair.").format(number=number)
            ) from None
        if type(amount) is not int:  # the fast path for the common case
            if isinstance(amount, Money):
                named[index] = amount.currency
                amount = amount.fen
            elif isinstance(amount, numbers.Integral) and not isinstance(amount, bool):
                amount = int(amount)  # numpy integers
            else:
                raise _amount_error(number, amount)
        if amount == 0:
            raise InvalidEntry(_("Line {number}: the amount is zero.").format(number=number))
        if type(account) is not int:
            if isinstance(account, Account) and account.pk is not None:
                account = account.pk
            elif isinstance(account, numbers.Integral) and not isinstance(account, bool):
                account = int(account)
            else:
                raise InvalidEntry(
                    _("Line {number}: the account must be a saved Account or its pk.").format(
                        number=number
                    )
                )
        pks.append(account)
        amounts.append(amount)
    if len(pks) < 2:
        raise InvalidEntry(_("An entry needs at least two lines."))
    return pks, amounts, named


def _account_currencies(pks: list[int]) -> dict[int, str]:
    """pk → currency of these accounts: one range query when the pks are dense, else chunks.

    Plain SQL: a distribution looks up 20,000 accounts per entry, and building model
    rows for them would cost more than writing the postings.
    """
    wanted = set(pks)
    low, high = min(wanted), max(wanted)
    table = connection.ops.quote_name(Account._meta.db_table)
    found: dict[int, str] = {}
    with connection.cursor() as cursor:
        if high - low + 1 <= 2 * len(wanted):
            cursor.execute(
                f"SELECT id, currency FROM {table} WHERE id BETWEEN %s AND %s", [low, high]
            )
            found.update(cursor.fetchall())
        else:
            ordered = sorted(wanted)
            for start in range(0, len(ordered), LOOKUP_CHUNK):
                chunk = ordered[start : start + LOOKUP_CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT id, currency FROM {table} WHERE id IN ({marks})", chunk)
                found.update(cursor.fetchall())
    missing = wanted - found.keys()
    if missing:
        raise UnknownAccount(missing)
    return found


def _take_ledger_lock(*, exclusive: bool) -> None:
    """PostgreSQL: order posting (shared) against period locking (exclusive) until commit."""
    if is_postgres():
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [ADVISORY_LOCK_KEY])


def _check_open(day: date_type) -> None:
    horizon = locked_through()
    if horizon is not None and day <= horizon:
        raise PeriodLocked(horizon.year, horizon.month)


def _same_entry(entry: JournalEntry, day: date_type, pks: list[int], amounts: list[int]) -> bool:
    if entry.date != day:
        return False
    posted = sorted(entry.postings.values_list("account_id", "amount"))
    return posted == sorted(zip(pks, amounts, strict=True))


@contextmanager
def _acting(actor):
    """Log as `actor` when the change context names nobody (a command, a task)."""
    ctx = current()
    if ctx.actor is not None:
        yield
        return
    fields = {f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)}
    with change_context(**{**fields, "user": actor}):
        yield


def _totals(pks, amounts, currency_of) -> dict[str, dict[str, int]]:
    """Debits and credits per currency (each side as a positive sum)."""
    totals: dict[str, dict[str, int]] = {}
    for pk, fen in zip(pks, amounts, strict=True):
        side = totals.setdefault(currency_of[pk], {"debit": 0, "credit": 0})
        if fen > 0:
            side["debit"] += fen
        else:
            side["credit"] -= fen
    return totals


def _summary(entry: JournalEntry, pks, amounts, currency_of, totals) -> dict:
    """The change-log image of an entry: header, totals and a digest of the lines.

    Small entries keep their lines; large ones (a distribution has 20,000) keep their
    count, debit/credit totals per currency and a SHA-256 of the lines in posting order
    ("account:amount:currency\\n" each), which an auditor can recompute from the postings.
    """
    text = "".join(f"{pk}:{fen}:{currency_of[pk]}\n" for pk, fen in zip(pks, amounts, strict=True))
    summary = {
        "date": entry.date.isoformat(),
        "description": entry.description,
        "source": entry.source,
        "idempotency_key": entry.idempotency_key,
        "reverses_id": entry.reverses_id,
        "created_by_id": entry.created_by_id,
        "postings": len(pks),
        "totals": totals,
        "lines_sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
    if len(pks) <= LOGGED_LINES_MAX:
        summary["lines"] = [
            [pk, fen, currency_of[pk]] for pk, fen in zip(pks, amounts, strict=True)
        ]
    return summary


def _post(*, date, description, lines, actor, idempotency_key, source, reverses) -> JournalEntry:
    check_date(date)
    if not isinstance(description, str) or not isinstance(source, str):
        raise InvalidEntry(_("The description and the source are text."))
    if idempotency_key is not None and (
        not isinstance(idempotency_key, str) or not idempotency_key
    ):
        raise InvalidEntry(_("An idempotency key is a non-empty text."))
    for field, value in (
        ("description", description),
        ("source", source),
        ("idempotency_key", idempotency_key),
    ):
        limit = JournalEntry._meta.get_field(field).max_length
        if value is not None and len(value) > limit:
            raise InvalidEntry(
                _("The {field} is longer than {limit} characters.").format(
                    field=field.replace("_", " "), limit=limit
                )
            )
    pks, amounts, named = _normalise(lines)
    currency_of = _account_currencies(pks)
    totals = _totals(pks, amounts, currency_of)
    for index, currency in named.items():
        if currency_of[pks[index]] != currency:
            raise CurrencyMismatch(
                _(
                    "Line {number}: the amount is in {given} but account {pk} is in {currency}."
                ).format(
                    number=index + 1,
                    given=currency,
                    pk=pks[index],
                    currency=currency_of[pks[index]],
                )
            )
    residuals = {
        currency: sides["debit"] - sides["credit"]
        for currency, sides in totals.items()
        if sides["debit"] != sides["credit"]
    }
    if residuals:
        raise UnbalancedEntry(residuals)

    if idempotency_key is not None:
        existing = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _replayed(existing, idempotency_key, date, pks, amounts, reverses)

    with transaction.atomic(), _acting(actor):
        _take_ledger_lock(exclusive=False)
        _check_open(date)
        fields = {
            "date": date,
            "description": description,
            "created_by": as_user(actor),
            "idempotency_key": idempotency_key,
            "reverses": reverses,
            "source": source,
        }
        try:
            # A savepoint: losing a race on the idempotency key (or on reversing the same
            # entry) must leave the caller's transaction usable.
            with transaction.atomic():
                entry = JournalEntry.objects.create(**fields)
        except IntegrityError:
            if idempotency_key is not None:
                winner = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
                if winner is not None:
                    return _replayed(winner, idempotency_key, date, pks, amounts, reverses)
            if reverses is not None:
                by = JournalEntry.objects.filter(reverses=reverses).values_list("pk", flat=True)
                raise AlreadyReversed(reverses.pk, next(iter(by), None)) from None
            raise
        entry_pk = entry.pk
        bulk_insert(
            Posting,
            ["entry_id", "account_id", "amount", "currency"],
            ((entry_pk, pk, fen, currency_of[pk]) for pk, fen in zip(pks, amounts, strict=True)),
        )
        record(
            entry,
            ObjectChange.Action.CREATE,
            before=None,
            after=_summary(entry, pks, amounts, currency_of, totals),
        )
    return entry


def _replayed(existing, key, day, pks, amounts, reverses) -> JournalEntry:
    same_link = existing.reverses_id == (reverses.pk if reverses is not None else None)
    if not same_link or not _same_entry(existing, day, pks, amounts):
        raise IdempotencyConflict(key, existing.pk)
    return existing


# ---------------------------------------------------------------------------------------------
# Locking periods


def lock_period(year: int, month: int, *, actor) -> Period:
    """Lock a month: nothing may be posted on or before its last day afterwards.

    Months are locked in order: the first lock may be any month with no entries before
    it; each later lock is the month after the previous one. A month can be locked once
    it is over (in Asia/Shanghai). Locking writes a snapshot of every account with
    postings up to the month's end, set-based (the previous snapshot plus the month's
    postings, in one INSERT … SELECT). There is no unlock.

    Args:
      year, month: The month to lock.
      actor: Who locks it (a user, or SYSTEM, which leaves `locked_by` empty).
    Raises:
      NotAllowed: no actor.
      PeriodLocked: the month is locked already.
      LockOrderError: an earlier month is still open, or the month is not over.
    """
    actor = require_actor(actor)
    if type(year) is not int or type(month) is not int or not 1 <= month <= 12:
        raise LedgerError(_("A period is a year and a month from 1 to 12."))
    ends_on = month_end(year, month)
    if ends_on >= timezone.localdate():
        raise LockOrderError(
            _("{year}-{month:02d} is not over yet; it can be locked from {day}.").format(
                year=year, month=month, day=(ends_on + timedelta(days=1)).isoformat()
            )
        )
    with transaction.atomic(), _acting(actor):
        _take_ledger_lock(exclusive=True)
        last = Period.objects.order_by("-year", "-month").first()
        if last is not None:
            if (year, month) <= (last.year, last.month):
                raise PeriodLocked(
                    year,
                    month,
                    detail=_("{year}-{month:02d} is locked already.").format(
                        year=year, month=month
                    ),
                )
            expected = (last.year + last.month // 12, last.month % 12 + 1)
            if (year, month) != expected:
                raise LockOrderError(
                    _("Lock {year}-{month:02d} first: months are locked in order.").format(
                        year=expected[0], month=expected[1]
                    )
                )
        else:
            first = JournalEntry.objects.order_by("date").values_list("date", flat=True).first()
            if first is not None and first < date_type(year, month, 1):
                raise LockOrderError(
                    _("Entries start in {year}-{month:02d}: lock that month first.").format(
                        year=first.year, month=first.month
                    )
                )
        period = Period.objects.create(year=year, month=month, locked_by=as_user(actor))
        written = _write_snapshots(ends_on, last.ends_on if last is not None else None)
        record(
            period,
            ObjectChange.Action.CREATE,
            before=None,
            after={
                "year": year,
                "month": month,
                "locked_at": period.locked_at.isoformat(),
                "locked_by_id": period.locked_by_id,
                "snapshots": written,
                "as_of": ends_on.isoformat(),
            },
        )
    return period


def _write_snapshots(as_of: date_type, previous: date_type | None) -> int:
    """INSERT … SELECT the balances at `as_of`: the previous snapshot + postings since."""
    qn = connection.ops.quote_name
    snapshot_table = qn(BalanceSnapshot._meta.db_table)
    posting_table = qn(Posting._meta.db_table)
    entry_table = qn(JournalEntry._meta.db_table)
    if previous is None:
        carried, carried_params = "", []
        since, since_params = "", []
    else:
        carried = (
            f"SELECT account_id, balance AS amount, currency FROM {snapshot_table} "
            f"WHERE as_of = %s UNION ALL "
        )
        carried_params = [db_date(previous)]
        since, since_params = "AND e.date > %s", [db_date(previous)]
    sql = (
        f"INSERT INTO {snapshot_table} (account_id, as_of, balance, currency) "
        f"SELECT account_id, %s, SUM(amount), currency FROM ("
        f"{carried}"
        f"SELECT p.account_id AS account_id, p.amount AS amount, p.currency AS currency "
        f"FROM {posting_table} p JOIN {entry_table} e ON e.id = p.entry_id "
        f"WHERE e.date <= %s {since}"
        f") t GROUP BY account_id, currency"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [db_date(as_of), *carried_params, db_date(as_of), *since_params])
        return cursor.rowcount
