"""The errors of the ventures app, on the one domain hierarchy (`core.errors`).

Every refusal carries a message a person can act on, and a refused call leaves the database
as it was. The class decides the HTTP answer, once, in `core.api.handlers` (API) and
`core.middleware` (pages):

| error | base | answer |
|---|---|---|
| VentureError, OverlappingStake, LedgerRefused, Shortfall | `core.errors.Invalid` | 400 |
| NotAllowed (core's own), MakerCheckerError | `core.errors.NotAllowed` | 403 |
| RunStateError | `core.errors.Conflict` | 409 |
| ImmutableError | `core.errors.Frozen` | 409 |
"""

from __future__ import annotations

from core import errors
from core.errors import NotAllowed

__all__ = [
    "ImmutableError",
    "LedgerRefused",
    "MakerCheckerError",
    "NotAllowed",
    "OverlappingStake",
    "RunStateError",
    "Shortfall",
    "VentureError",
]

# NotAllowed is core's own class, not a subclass: a missing actor (refused by
# `core.actors.require_actor` before a service reads anything) and a missing role are the
# same refusal, and `except NotAllowed` must catch both.


class VentureError(errors.Invalid):
    """Bad input or a refused operation on a venture, its register or its distributions."""


class MakerCheckerError(NotAllowed):
    """The person who prepared a distribution run tried to approve it."""


class OverlappingStake(VentureError):
    """A holder would hold two stakes in one venture on the same day."""


class RunStateError(errors.Conflict):
    """The run is not in the state this step needs (e.g. posting twice, posting unapproved)."""


class ImmutableError(errors.Frozen):
    """An edit of something frozen: a posted run, its lines, or a public notice."""


class LedgerRefused(VentureError):
    """The ledger refused the entry (e.g. a locked period); the ledger's message is kept."""


class Shortfall(VentureError):
    """A run would distribute more than the venture received and has not distributed yet."""
