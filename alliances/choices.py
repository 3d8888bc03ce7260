from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "CLOSED_DUTY_STATUSES",
    "PRESENT_STATUSES",
    "AttendanceStatus",
    "DecisionResult",
    "DecisionRule",
    "DecisionStatus",
    "DutyStatus",
    "MeetingKind",
    "MembershipRole",
    "QuorumRule",
    "VoteChoice",
]


class MembershipRole(models.TextChoices):
    CORE = "core", _("Core member (核心)")
    MEMBER = "member", _("Member (成员)")


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("Joint meeting (联席会议)")
    ROUNDTABLE = "roundtable", _("Roundtable (圆桌会)")
    LECTURE = "lecture", _("Expert lecture (专家授课)")
    STUDY_TOUR = "study_tour", _("Study tour (外出考察)")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    DELEGATED = "delegated", _("Represented by a delegate")
    ABSENT = "absent", _("Absent")


# Who counts as present for quorum and may vote.
PRESENT_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.DELEGATED)


class QuorumRule(models.TextChoices):
    NONE = "none", _("No quorum required")
    MAJORITY = "majority", _("More than half of the members")
    TWO_THIRDS = "two_thirds", _("Two thirds of the members")


class DecisionRule(models.TextChoices):
    SIMPLE_CAST = "simple_cast", _("More for than against")
    SIMPLE_PRESENT = "simple_present", _("Simple majority of those present")
    TWO_THIRDS_PRESENT = "two_thirds_present", _("Two-thirds majority of those present")
    MAJORITY_MEMBERS = "majority_members", _("Majority of all members")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Open for votes")
    CLOSED = "closed", _("Closed")


class DecisionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("No quorum")


class VoteChoice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class DutyStatus(models.TextChoices):
    # A context of its own: a project that is "Planned" is 谋划, a duty not yet begun is 计划中.
    PLANNED = "planned", pgettext_lazy("duty status", "Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")


CLOSED_DUTY_STATUSES = (DutyStatus.DONE, DutyStatus.VERIFIED)
