"""The errors of the ledger, on the one domain hierarchy (`core.errors`).

Every one is a `LedgerError` (an `Invalid`, so a `ValueError` too: input validation catching
that works). Those the state of the books forbids are also `Conflict`s (a locked period, an
entry reversed already, a reused idempotency key, months locked out of order), and edits of
posted rows are `Frozen`; that class decides the HTTP answer (`core.api.handlers`).

Messages are English msgids translated by gettext when raised.
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.errors import Conflict, Frozen, Invalid
from lib.money import format_yuan

__all__ = [
    "AlreadyReversed",
    "CurrencyMismatch",
    "IdempotencyConflict",
    "InvalidEntry",
    "LedgerError",
    "LedgerImmutable",
    "LockOrderError",
    "PeriodLocked",
    "UnbalancedEntry",
    "UnknownAccount",
]


class LedgerError(Invalid):
    """Base class: the ledger refused an operation; nothing was written."""


class LedgerImmutable(Frozen, LedgerError):
    """Posted entries, postings, locks and snapshots are never edited or deleted."""

    def __init__(self, what: str = "", *, message: str = ""):
        super().__init__(
            message
            or _("{what} cannot be changed or deleted; correct a mistake with a reversal.").format(
                what=capfirst(what) or _("A posted ledger row")
            )
        )


class InvalidEntry(LedgerError):
    """The lines of an entry are malformed (too few, not integer fen, zero, …)."""


class UnknownAccount(InvalidEntry):
    def __init__(self, pks):
        self.pks = sorted(pks)
        super().__init__(
            _("No such ledger account: {pks}.").format(pks=", ".join(map(str, self.pks)))
        )


class CurrencyMismatch(InvalidEntry):
    """An amount given as Money in another currency than its account's."""


def describe_residuals(residuals: dict[str, int]) -> str:
    """'CNY 0.01 (1 fen), USD -2.00 (-200 fen)': what is left over, per currency."""
    return ", ".join(
        _("{currency} {yuan} ({fen} fen)").format(currency=currency, yuan=format_yuan(fen), fen=fen)
        for currency, fen in sorted(residuals.items())
    )


class UnbalancedEntry(InvalidEntry):
    """The postings do not sum to zero in some currency (beancount's "does not balance")."""

    def __init__(self, residuals: dict[str, int]):
        self.residuals = dict(sorted(residuals.items()))
        super().__init__(
            _("The entry does not balance; residual: {residuals}.").format(
                residuals=describe_residuals(self.residuals)
            )
        )


class PeriodLocked(Conflict, LedgerError):
    def __init__(self, year: int, month: int, *, detail: str = ""):
        self.year, self.month = year, month
        super().__init__(
            detail
            or _(
                "The period {year}-{month:02d} is locked: nothing can be posted on or before "
                "its end."
            ).format(year=year, month=month)
        )


class LockOrderError(Conflict, LedgerError):
    """Periods are locked one month after another, with no gaps."""


class AlreadyReversed(Conflict, LedgerError):
    def __init__(self, entry_pk: int, by_pk: int | None = None):
        self.entry_pk, self.by_pk = entry_pk, by_pk
        if by_pk is None:
            message = _("Entry {pk} has already been reversed.").format(pk=entry_pk)
        else:
            message = _("Entry {pk} has already been reversed by entry {by}.").format(
                pk=entry_pk, by=by_pk
            )
        super().__init__(message)


class IdempotencyConflict(Conflict, LedgerError):
    """An idempotency key was reused for a different entry."""

    def __init__(self, key: str, entry_pk: int):
        self.key, self.entry_pk = key, entry_pk
        super().__init__(
            _(
                "The idempotency key “{key}” was already used for entry {pk}, with other "
                "lines or another date."
            ).format(key=key, pk=entry_pk)
        )
