from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["MembershipRole"]


class MembershipRole(models.TextChoices):
    CORE = "core", _("Core member (核心)")
    MEMBER = "member", _("Member (成员)")
