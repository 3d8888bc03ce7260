"""The share register: stakes of holders in a venture, from a day to a day, and the capital
they contribute (posted to the ledger).

What the register holds on a day is `ventures.selectors.register_at`.
"""

from __future__ import annotations

import numbers
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.actors import require_actor
from ledger.books import books_language
from ledger.choices import AccountKind
from ledger.services import get_account, post_entry
from ventures.checks import day, fen
from ventures.choices import ContributionKind
from ventures.exceptions import OverlappingStake, VentureError
from ventures.models import Contribution, Stake, Venture
from ventures.selectors import REGISTER_ROLES
from ventures.services._base import (
    _LAND_QUOTA_ACCOUNT_SUFFIX,
    _holder,
    _holder_account_name,
    _holder_ids,
    _ledger,
    _lock_venture,
    _owner,
    _require,
    _venture_account,
)

__all__ = ["add_stake", "end_stake", "record_contribution"]


def _refuse_overlap(venture, holder, start: date, end: date | None, exclude: int | None) -> None:
    village_id, organisation_id = _holder_ids(holder)
    clash = Stake.objects.filter(
        venture=venture, village_id=village_id, organisation_id=organisation_id
    ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    if end is not None:
        clash = clash.filter(effective_from__lte=end)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    other = clash.order_by("effective_from").first()
    if other is not None:
        raise OverlappingStake(
            _(
                "{holder} already holds a stake in {venture} from {start} to {end}; end that "
                "stake before this one starts."
            ).format(
                holder=holder,
                venture=venture,
                start=other.effective_from,
                end=other.effective_to or _("now"),
            )
        )


def add_stake(
    venture: Venture,
    *,
    holder,
    units: int,
    effective_from,
    effective_to=None,
    note: str = "",
    actor,
) -> Stake:
    """Register a holder's share units in a venture from a day (to a day, both included).

    Refuses a stake overlapping another of the same holder in the same venture (checked
    under a lock on the venture row; on PostgreSQL the database refuses it too).

    Args:
      venture: The venture.
      holder: A Village, an Organisation, or a holder key ("village:<code>").
      units: Share units, an int ≥ 0.
      effective_from / effective_to: Dates (or ISO text); effective_to None means open.
      note: Free text.
      actor: Who registers it (finance staff of the operating organisation).
    Returns:
      The new Stake.
    """
    actor = require_actor(actor)
    if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units < 0:
        raise VentureError(
            _("Share units are a whole number, zero or more: {units!r}.").format(units=units)
        )
    start = day(effective_from, _("The start date"))
    end = None if effective_to is None else day(effective_to, _("The end date"))
    if end is not None and end < start:
        raise VentureError(_("A stake cannot end before it starts."))
    with transaction.atomic():
        venture = _lock_venture(venture)
        _require(actor, venture, REGISTER_ROLES, _("register stakes"))
        holder = _holder(holder)
        _refuse_overlap(venture, holder, start, end, exclude=None)
        return Stake.objects.create(
            venture=venture,
            units=int(units),
            effective_from=start,
            effective_to=end,
            note=note,
            **_owner(holder),
        )


def end_stake(stake: Stake, *, effective_to, actor) -> Stake:
    """Set the last day of a stake (e.g. when its units change: end it, add a new one)."""
    actor = require_actor(actor)
    end = day(effective_to, _("The end date"))
    with transaction.atomic():
        venture = _lock_venture(stake.venture_id)
        _require(actor, venture, REGISTER_ROLES, _("change stakes"))
        stake = Stake.objects.select_related("village", "organisation").get(pk=stake.pk)
        if end < stake.effective_from:
            raise VentureError(_("A stake cannot end before it starts."))
        _refuse_overlap(venture, stake.holder, stake.effective_from, end, exclude=stake.pk)
        stake.effective_to = end
        stake.save()
        return stake


def record_contribution(
    venture: Venture,
    *,
    holder,
    kind: str,
    amount: int,
    contributed_on,
    note: str = "",
    actor,
) -> Contribution:
    """Record a holder's capital contribution and post it to the ledger.

    Entry: Dr venture cash (land quota: the venture's in-kind capital account), Cr the
    holder's capital account in the venture. Cash, land quota (土地指标) and subsidy-funded
    equity (补助资金入股) are kept apart by `kind`.

    Raises:
      VentureError: a non-positive or non-integer amount, an unknown kind or holder.
      LedgerRefused: the ledger refused the entry (e.g. the date is in a locked period).
      NotAllowed: the actor is not finance staff for the venture.
    """
    actor = require_actor(actor)
    if kind not in ContributionKind.values:
        raise VentureError(_("Unknown contribution kind: {kind}.").format(kind=kind))
    amount = fen(amount, _("A contribution"))
    paid_on = day(contributed_on, _("The contribution date"))
    with transaction.atomic():
        venture = Venture.objects.select_related("organisation").get(pk=venture.pk)
        _require(actor, venture, REGISTER_ROLES, _("record contributions"))
        holder = _holder(holder)
        suffix = _LAND_QUOTA_ACCOUNT_SUFFIX if kind == ContributionKind.LAND_QUOTA else ""
        with _ledger():
            debit = _venture_account(venture, AccountKind.CASH, suffix, actor=actor)
            credit = get_account(
                kind=AccountKind.CAPITAL,
                organisation=venture.organisation,
                name=_holder_account_name(venture, *_holder_ids(holder)),
                currency=venture.currency,
                actor=actor,
            )
            with books_language():
                description = _("{venture}: {kind} contribution of {holder}").format(
                    venture=venture, kind=ContributionKind(kind).label, holder=holder
                )[:500]
            entry = post_entry(
                date=paid_on,
                description=description,
                lines=[(debit, amount), (credit, -amount)],
                actor=actor,
                source=f"ventures.venture:{venture.pk}",
            )
        return Contribution.objects.create(
            venture=venture,
            kind=kind,
            amount=amount,
            contributed_on=paid_on,
            note=note,
            entry=entry,
            **_owner(holder),
        )
