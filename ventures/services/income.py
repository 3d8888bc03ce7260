"""Money in: income a venture receives, posted to the ledger (Dr venture cash, Cr income).

How much of it no run has claimed yet is `ventures.selectors.undistributed`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.actors import require_actor
from ledger.books import books_language
from ledger.choices import AccountKind
from ledger.services import post_entry
from registry.models import Organisation
from ventures.checks import day, fen
from ventures.choices import IncomeKind
from ventures.exceptions import VentureError
from ventures.models import IncomeReceipt, Venture
from ventures.selectors import REGISTER_ROLES
from ventures.services._base import _ledger, _require, _venture_account

__all__ = ["record_income"]


def record_income(
    venture: Venture,
    *,
    amount: int,
    received_on,
    kind: str = IncomeKind.RENT,
    payer: Organisation | None = None,
    period_start=None,
    period_end=None,
    note: str = "",
    actor,
) -> IncomeReceipt:
    """Record income the venture received and post it: Dr venture cash, Cr venture income.

    Raises:
      VentureError: a zero, negative or non-integer amount (a refund is a reversal, not
        negative income), an unknown kind, a backwards period.
      LedgerRefused: the ledger refused the entry (e.g. a locked period).
      NotAllowed: the actor is not finance staff for the venture.
    """
    actor = require_actor(actor)
    if kind not in IncomeKind.values:
        raise VentureError(_("Unknown income kind: {kind}.").format(kind=kind))
    amount = fen(amount, _("Income"))
    received = day(received_on, _("The date received"))
    start = None if period_start is None else day(period_start, _("The period start"))
    end = None if period_end is None else day(period_end, _("The period end"))
    if start is not None and end is not None and end < start:
        raise VentureError(_("The period ends before it starts."))
    with transaction.atomic():
        venture = Venture.objects.select_related("organisation").get(pk=venture.pk)
        _require(actor, venture, REGISTER_ROLES, _("record income"))
        with _ledger():
            with books_language():
                description = _("{venture}: {kind} received").format(
                    venture=venture, kind=IncomeKind(kind).label
                )[:500]
            entry = post_entry(
                date=received,
                description=description + (f" ({payer})" if payer is not None else ""),
                lines=[
                    (_venture_account(venture, AccountKind.CASH, actor=actor), amount),
                    (_venture_account(venture, AccountKind.INCOME, actor=actor), -amount),
                ],
                actor=actor,
                source=f"ventures.venture:{venture.pk}",
            )
        return IncomeReceipt.objects.create(
            venture=venture,
            payer=payer,
            kind=kind,
            amount=amount,
            received_on=received,
            period_start=start,
            period_end=end,
            note=note,
            entry=entry,
        )
