"""The alliances app's models: groups and memberships, meetings and decisions, duties."""

from alliances.models.duties import Duty, DutyEvidence, DutyQuerySet, DutyUpdate
from alliances.models.groups import (
    ADMIN_POLICY,
    Alliance,
    Consortium,
    ConsortiumType,
    Mechanism,
    Membership,
    MembershipQuerySet,
)
from alliances.models.meetings import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingSeries,
    Minutes,
    Vote,
)

__all__ = [
    "ADMIN_POLICY",
    "AgendaItem",
    "Alliance",
    "Attendance",
    "Consortium",
    "ConsortiumType",
    "Decision",
    "Duty",
    "DutyEvidence",
    "DutyQuerySet",
    "DutyUpdate",
    "Mechanism",
    "Meeting",
    "MeetingSeries",
    "Membership",
    "MembershipQuerySet",
    "Minutes",
    "Vote",
]
