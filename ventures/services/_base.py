"""What the ventures services share: the role check, row locks, holders, ledger accounts.

Package-private (every name starts with "_"): the services' public functions are in the
concern modules and re-exported by `ventures.services`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

from core.scope import holds_role
from ledger.exceptions import LedgerError
from ledger.models import Account
from ledger.services import get_account
from registry.models import Organisation, Village
from ventures.exceptions import LedgerRefused, NotAllowed, VentureError
from ventures.models import (
    PAYABLE_VILLAGE_INFIX,
    DistributionRun,
    Venture,
    parse_holder_key,
)

#: Land quota (土地指标) is capital in kind, not money in the bank; the ledger has no
#: non-cash asset kind yet, so it sits in a cash-kind account of its own name, apart from
#: the venture's real cash. Subsidy-funded equity (补助资金入股) arrives as money: cash.
_LAND_QUOTA_ACCOUNT_SUFFIX = "-LandQuota"


def _require(actor, venture: Venture, roles: frozenset[str], action: str) -> None:
    if not holds_role(actor, roles, organisation=venture.organisation):
        raise NotAllowed(
            _("You may not {action} for {venture}.").format(action=action, venture=venture)
        )


@contextmanager
def _ledger() -> Iterator[None]:
    """Turn the ledger's refusals (locked period, …) into a VentureError, message kept."""
    try:
        yield
    except LedgerError as error:
        raise LedgerRefused(str(error)) from error


def _holder(holder) -> Village | Organisation:
    """A Village or Organisation from itself or its holder key; refuses unknown holders."""
    if isinstance(holder, Village | Organisation):
        if holder.pk is None:
            raise VentureError(_("The holder has not been saved."))
        return holder
    village_id, organisation_id = parse_holder_key(holder)
    if village_id is not None:
        found = Village.objects.filter(pk=village_id).first()
    else:
        found = Organisation.objects.filter(pk=organisation_id).first()
    if found is None:
        raise VentureError(_("No such holder: {key}.").format(key=holder))
    return found


def _owner(holder: Village | Organisation) -> dict:
    if isinstance(holder, Village):
        return {"village": holder}
    return {"organisation": holder}


def _holder_ids(holder: Village | Organisation) -> tuple[str | None, int | None]:
    if isinstance(holder, Village):
        return holder.pk, None
    return None, holder.pk


def _lock_venture(venture: Venture | int) -> Venture:
    pk = venture.pk if isinstance(venture, Venture) else venture
    return Venture.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=pk)


def _lock_run(run: DistributionRun | int) -> DistributionRun:
    pk = run.pk if isinstance(run, DistributionRun) else run
    return (
        DistributionRun.objects.select_for_update(of=("self",))
        .select_related("venture__organisation")
        .get(pk=pk)
    )


def _venture_account(venture: Venture, kind: str, suffix: str = "", *, actor) -> Account:
    return get_account(
        kind=kind,
        organisation=venture.organisation,
        name=venture.ledger_name + suffix,
        currency=venture.currency,
        actor=actor,
    )


def _holder_account_name(venture: Venture, village_id, organisation_id, household_id=None) -> str:
    if household_id is not None:
        return f"{venture.ledger_name}-Household-{household_id}"
    if village_id is not None:
        return f"{venture.ledger_name}{PAYABLE_VILLAGE_INFIX}{village_id}"
    return f"{venture.ledger_name}-Organisation-{organisation_id}"
