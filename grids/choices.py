from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class HouseholdFlagKind(models.TextChoices):
    LOW_INCOME = "low_income", _("Low-income household")  # 低收入农户
    WUBAO = "wubao", _("Five guarantees (五保)")
    DIBAO = "dibao", _("Minimum living allowance (低保)")


class WorkerRole(models.TextChoices):
    LEADER = "leader", _("Grid leader")  # 网格长, one per side
    MEMBER = "member", _("Grid member")  # 网格员, on a micro-grid


class VisitKind(models.TextChoices):
    # 四必访: the four occasions a linked member must visit.
    HARDSHIP = "hardship", _("Hardship or illness")
    CONFLICT = "conflict", _("Dispute or conflict")
    CELEBRATION = "celebration", _("Wedding, funeral or celebration")
    OPINION = "opinion", _("Opinions and requests")
    ROUTINE = "routine", _("Routine visit")


class EvaluationKind(models.TextChoices):
    # 四必评: what needs the linked member's evaluation.
    HONOURS = "honours", _("Honours")
    HARDSHIP_AID = "hardship_aid", _("Hardship aid")
    VETTING = "vetting", _("Political vetting")
    MODEL = "model", _("Model selection")


class Verdict(models.TextChoices):
    SUPPORT = "support", _("Supports")
    OBJECT = "object", _("Objects")


class MatterCategory(models.TextChoices):
    SAFETY = "safety", _("Safety hazard")
    DISPUTE = "dispute", _("Neighbour dispute")
    ENVIRONMENT = "environment", _("Environment and sanitation")
    SERVICE = "service", _("Resident service")
    INFRASTRUCTURE = "infrastructure", _("Roads, water and power")
    OTHER = "other", _("Other")


# Days from acceptance to the deadline for handling, by category (safety first).
MATTER_DEADLINE_DAYS = {
    MatterCategory.SAFETY: 1,
    MatterCategory.DISPUTE: 7,
    MatterCategory.ENVIRONMENT: 3,
    MatterCategory.SERVICE: 5,
    MatterCategory.INFRASTRUCTURE: 10,
    MatterCategory.OTHER: 7,
}


class MatterStatus(models.TextChoices):
    # The closed loop 受理 → 流转 → 处置 → 反馈 → 评价.
    ACCEPTED = "accepted", _("Accepted")
    TRANSFERRED = "transferred", _("Transferred")
    HANDLED = "handled", _("Handled")
    FED_BACK = "fed_back", _("Fed back")
    EVALUATED = "evaluated", _("Evaluated")


class MatterLevel(models.TextChoices):
    # "小事不出网格、大事不出村社": where a matter is being handled.
    GRID = "grid", _("Grid")
    VILLAGE = "village", _("Village")
    TOWNSHIP = "township", _("Township")
    OTHER_SIDE = "other_side", _("The other side")


class StepKind(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    TRANSFER = "transfer", _("Transfer")
    HANDLE = "handle", _("Handle")
    FEED_BACK = "feed_back", _("Feed back")
    EVALUATE = "evaluate", _("Evaluate")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class ScreeningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class RevealField(models.TextChoices):
    ID_NUMBER = "id_number", _("ID number")
    PHONE = "phone", _("Phone")
