"""The errors of the ventures app: every refusal is a `VentureError` (a ValueError) with a
message a person can act on, and a refused call leaves the database as it was."""

from __future__ import annotations

__all__ = [
    "ImmutableError",
    "LedgerRefused",
    "MakerCheckerError",
    "NotAllowed",
    "OverlappingStake",
    "RunStateError",
    "VentureError",
]


class VentureError(ValueError):
    """Bad input or a refused operation on a venture, its register or its distributions."""


class NotAllowed(VentureError):
    """The user has no role for this operation in the venture's scope."""


class MakerCheckerError(NotAllowed):
    """The person who prepared a distribution run tried to approve it."""


class OverlappingStake(VentureError):
    """A holder would hold two stakes in one venture on the same day."""


class RunStateError(VentureError):
    """The run is not in the state this step needs (e.g. posting twice, posting unapproved)."""


class ImmutableError(VentureError):
    """An edit of something frozen: a posted run, its lines, or a public notice."""


class LedgerRefused(VentureError):
    """The ledger refused the entry (e.g. a locked period); the ledger's message is kept."""
