from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectCategory(models.TextChoices):
    """Categories of project lists (产业发展, 乡村振兴, 生态环保, 教育, 卫生健康, …)."""

    INDUSTRY = "industry", _("Industry")
    RURAL_REVITALISATION = "rural", _("Rural revitalisation")
    AGRICULTURE = "agriculture", _("Agriculture")
    TOURISM = "tourism", _("Culture and tourism")
    ECOLOGY = "ecology", _("Ecology and environment")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    PARTY_BUILDING = "party", _("Party building")
    SOCIAL = "social", _("Social governance")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_CONSTRUCTION = "construction", _("Under construction")
    OPERATING = "operating", _("Operating")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


class PartnerRole(models.TextChoices):
    INVESTOR = "investor", _("Investor")
    OPERATOR = "operator", _("Operator")
    LAND = "land", _("Land provider")
    OTHER = "other", _("Other")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class CooperationKind(models.TextChoices):
    NEIGHBOUR_PARTY_BUILDING = "neighbour", _("Neighbouring party building (毗邻党建)")
    MOUNTAIN_SEA = "mountain_sea", _("Mountain–sea cooperation (山海协作)")
