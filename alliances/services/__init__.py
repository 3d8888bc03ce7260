"""The alliances services: every write of memberships, meetings, decisions and duties.

Each function owns its transaction, takes the acting user as a required keyword `actor`
(`core.actors.SYSTEM` for the demo loader and commands; a missing actor is refused), checks
its scope with `core.scope` and refuses with an `alliances.exceptions` error, leaving the
database as it was. The reads (quorum, tally, the days of a series) are in
`alliances.selectors`.
"""

from alliances.exceptions import (
    AllianceError,
    DutyError,
    FrozenError,
    MeetingError,
    MembershipError,
    NotAllowed,
    VoteError,
)
from alliances.services.duties import (
    add_duty_update,
    add_evidence,
    create_duties_from_decision,
    create_duty,
    verify_duty,
)
from alliances.services.meetings import (
    add_agenda_item,
    add_decision,
    cast_vote,
    cast_votes,
    close_decision,
    create_meeting,
    create_series,
    record_attendance,
    record_attendances,
    schedule_series,
    sign_off_minutes,
    write_minutes,
)
from alliances.services.memberships import join, leave

__all__ = [
    "AllianceError",
    "DutyError",
    "FrozenError",
    "MeetingError",
    "MembershipError",
    "NotAllowed",
    "VoteError",
    "add_agenda_item",
    "add_decision",
    "add_duty_update",
    "add_evidence",
    "cast_vote",
    "cast_votes",
    "close_decision",
    "create_duties_from_decision",
    "create_duty",
    "create_meeting",
    "create_series",
    "join",
    "leave",
    "record_attendance",
    "record_attendances",
    "schedule_series",
    "sign_off_minutes",
    "verify_duty",
    "write_minutes",
]
