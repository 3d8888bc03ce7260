"""The errors of the alliances app, on the one hierarchy of `core.errors`. Every refusal
leaves the database as it was.

    AllianceError (Invalid, 400)   a broken rule of an alliance's governance
    ├── MembershipError, MeetingError, DutyError
    ├── FrozenError (also Frozen, 409)     an edit of something frozen
    └── VoteError (also Conflict, 409)     a vote refused
    NotAllowed (core NotAllowed, 403)      no role for this in this scope, or no actor

FrozenError and VoteError stay AllianceErrors, so an `except AllianceError` still shows
them on a page; their HTTP answer is 409 because they are Conflicts (the API handler and
the HTML middleware both decide by class).
"""

from __future__ import annotations

from core import errors

__all__ = [
    "AllianceError",
    "DutyError",
    "FrozenError",
    "MeetingError",
    "MembershipError",
    "NotAllowed",
    "VoteError",
]


class AllianceError(errors.Invalid):
    """Bad input or a refused operation in an alliance's governance; nothing was changed."""


class NotAllowed(errors.NotAllowed):
    """The user may not do this in this scope; nothing was changed."""


class MembershipError(AllianceError):
    """A join or leave that breaks a membership rule."""


class MeetingError(AllianceError):
    """A meeting, attendance or minutes rule was broken."""


class FrozenError(AllianceError, errors.Frozen):
    """An edit of something frozen: signed-off minutes, a closed decision, a vote, history."""

    status_code = errors.Frozen.status_code


class VoteError(AllianceError, errors.Conflict):
    """A vote refused: twice, from a member not present, or on a closed decision."""

    status_code = errors.Conflict.status_code


class DutyError(AllianceError):
    """A duty or its progress update broke a rule."""
