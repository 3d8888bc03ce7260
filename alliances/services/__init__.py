"""The alliances services: every write of memberships, meetings, decisions and duties.

Each function owns its transaction, checks the acting user (None: a trusted caller such as
the demo loader or a command) and refuses with an `alliances.exceptions` error, leaving the
database as it was.
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
    MAX_MEETINGS_PER_SERIES,
    Quorum,
    add_agenda_item,
    add_decision,
    cast_vote,
    cast_votes,
    close_decision,
    create_meeting,
    create_series,
    quorum,
    record_attendance,
    record_attendances,
    schedule_series,
    series_days,
    sign_off_minutes,
    tally,
    write_minutes,
)
from alliances.services.memberships import join, leave

__all__ = [
    "MAX_MEETINGS_PER_SERIES",
    "AllianceError",
    "DutyError",
    "FrozenError",
    "MeetingError",
    "MembershipError",
    "NotAllowed",
    "Quorum",
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
    "quorum",
    "record_attendance",
    "record_attendances",
    "schedule_series",
    "series_days",
    "sign_off_minutes",
    "tally",
    "verify_duty",
    "write_minutes",
]
