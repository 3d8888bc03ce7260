"""Export the ledger in beancount v3 syntax, so an auditor can check it with bean-check.

What the file holds:

- `option` lines (title, operating currency) and a `commodity` directive per currency;
- an `open` directive for every account at the date of its first posting, restricted to
  its currency, with the account's pk, kind, owner and real name as metadata (accounts
  never used are left out: beancount needs no open for them);
- every entry as a `*` transaction in date order, amounts in yuan with two decimals
  (Decimal(fen) / 100, exact), the entry pk, idempotency key and source as metadata, a
  link ^baotuan-entry-<pk>; a reversal also carries its original's link and #reversal,
  so `bean-query` finds both halves together;
- a `balance` assertion for every snapshot, dated the day after the locked month (beancount
  checks a balance at the start of its day) and with a zero tolerance ("~ 0.00"; by
  default beancount lets a two-decimal assertion be off by 0.01), so bean-check
  re-verifies the snapshots to the fen.

Streams rows with iterators: a 2.4-million-posting ledger exports in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby
from typing import TextIO

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.exceptions import LedgerError
from ledger.models import Account, BalanceSnapshot, JournalEntry, Posting

__all__ = ["export_beancount", "yuan"]

CENT = Decimal("0.01")
CHUNK = 10_000


def yuan(fen: int) -> str:
    """Fen as yuan with exactly two decimals: 123456 -> "1234.56", -5 -> "-0.05"."""
    return str((Decimal(fen) / 100).quantize(CENT))


def _string(text: str) -> str:
    """A beancount string literal: quotes and backslashes escaped, on one line."""
    text = " ".join(str(text).split())
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _link(pk: int) -> str:
    return f"^baotuan-entry-{pk}"


def export_beancount(out: TextIO, *, until: date | None = None, assertions: bool = True) -> dict:
    """Write the ledger to `out` in beancount syntax.

    Args:
      out: A text stream.
      until: Only entries dated on or before this day (and snapshots before it).
      assertions: Write a `balance` directive for each snapshot (the default).
    Returns:
      Counts: {"accounts", "entries", "postings", "balances"}.
    Raises:
      LedgerError: two accounts would get the same beancount name.
    """
    entries = JournalEntry.objects.order_by("date", "pk")
    postings = Posting.objects.order_by("entry__date", "entry_id", "pk")
    first_use = Posting.objects.values("account_id").annotate(first=Min("entry__date"))
    if until is not None:
        entries = entries.filter(date__lte=until)
        postings = postings.filter(entry__date__lte=until)
        first_use = first_use.filter(entry__date__lte=until)
    opened = {row["account_id"]: row["first"] for row in first_use.order_by()}
    accounts = {
        account.pk: account
        for account in Account.objects.select_related("village", "organisation")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
        if account.pk in opened
    }
    names = {pk: account.beancount_name for pk, account in accounts.items()}
    if len(set(names.values())) != len(names):
        seen: dict[str, int] = {}
        for pk, name in sorted(names.items()):
            if name in seen:
                raise LedgerError(
                    _("Accounts {a} and {b} would both be {name} in beancount.").format(
                        a=seen[name], b=pk, name=name
                    )
                )
            seen[name] = pk

    write = out.write
    write(f";; Baotuan (抱团) ledger, exported {timezone.now().isoformat(timespec='seconds')}.\n")
    write(";; Amounts in yuan (fen / 100); check with: bean-check <this file>\n\n")
    write('option "title" "Baotuan ledger"\n')
    currencies = sorted({account.currency for account in accounts.values()} or {"CNY"})
    for currency in currencies:
        write(f'option "operating_currency" "{currency}"\n')
    write("\n")
    start = min(opened.values(), default=timezone.localdate())
    for currency in currencies:
        write(f"{start.isoformat()} commodity {currency}\n")
    write("\n")
    for pk in sorted(accounts, key=lambda pk: (opened[pk], names[pk])):
        account = accounts[pk]
        write(f"{opened[pk].isoformat()} open {names[pk]} {account.currency}\n")
        write(f"  baotuan-account: {pk}\n")
        write(f"  kind: {_string(account.kind)}\n")
        write(f"  owner: {_string(account.owner)}\n")
        if account.name:
            write(f"  name: {_string(account.name)}\n")
    write("\n")

    counts = {"accounts": len(accounts), "entries": 0, "postings": 0, "balances": 0}
    lines = postings.values_list("entry_id", "account_id", "amount", "currency")
    grouped = groupby(lines.iterator(chunk_size=CHUNK), key=lambda row: row[0])
    fields = ("pk", "date", "description", "idempotency_key", "source", "reverses_id")
    for entry, rows in _zip_entries(
        entries.values_list(*fields).iterator(chunk_size=CHUNK), grouped
    ):
        pk, day, description, key, source, reverses = entry
        links = [_link(pk)] if reverses is None else [_link(pk), _link(reverses), "#reversal"]
        write(f"{day.isoformat()} * {_string(description)} {' '.join(links)}\n")
        write(f"  baotuan-entry: {pk}\n")
        if key is not None:
            write(f"  idempotency-key: {_string(key)}\n")
        if source:
            write(f"  source: {_string(source)}\n")
        if reverses is not None:
            write(f"  reverses: {reverses}\n")
        for _entry, account, amount, currency in rows:
            write(f"  {names[account]}  {yuan(amount)} {currency}\n")
            counts["postings"] += 1
        write("\n")
        counts["entries"] += 1

    if assertions:
        snapshots = BalanceSnapshot.objects.order_by("as_of", "account_id")
        if until is not None:
            snapshots = snapshots.filter(as_of__lt=until)
        for account, as_of, balance, currency in snapshots.values_list(
            "account_id", "as_of", "balance", "currency"
        ).iterator(chunk_size=CHUNK):
            if account not in names:
                continue
            day = as_of + timedelta(days=1)
            # "~ 0.00": exact. Without it beancount allows ±0.01 on a two-decimal assertion.
            write(
                f"{day.isoformat()} balance {names[account]}  {yuan(balance)} ~ 0.00 {currency}\n"
            )
            counts["balances"] += 1
    return counts


def _zip_entries(entries: Iterator, grouped: Iterator) -> Iterator:
    """Pair each entry row with its postings (both streams are in (date, pk) order)."""
    for entry in entries:
        entry_pk, rows = next(grouped, (None, iter(())))
        if entry_pk != entry[0]:
            raise LedgerError(
                _("Entry {pk} has no postings; run check_ledger.").format(pk=entry[0])
            )
        yield entry, rows
