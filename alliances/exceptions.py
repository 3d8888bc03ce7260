"""The errors of the alliances app. Every refusal leaves the database as it was."""

from __future__ import annotations

__all__ = [
    "AllianceError",
    "DutyError",
    "FrozenError",
    "MeetingError",
    "MembershipError",
    "NotAllowed",
    "VoteError",
]


class AllianceError(ValueError):
    """Bad input or a refused operation in an alliance's governance; nothing was changed."""


class NotAllowed(PermissionError):
    """The user may not do this in this scope; nothing was changed."""


class MembershipError(AllianceError):
    """A join or leave that breaks a membership rule."""


class MeetingError(AllianceError):
    """A meeting, attendance or minutes rule was broken."""


class FrozenError(AllianceError):
    """An edit of something frozen: signed-off minutes, a closed decision, a vote, history."""


class VoteError(AllianceError):
    """A vote refused: twice, from a member not present, or on a closed decision."""


class DutyError(AllianceError):
    """A duty or its progress update broke a rule."""
