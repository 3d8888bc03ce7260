from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of ARCHITECTURE.md; a Grant gives one to a user for one scope."""

    CITY_ADMIN = "city_admin", _("City administrator")
    VILLAGE_CLERK = "village_clerk", _("Village clerk")
    FINANCE = "finance", _("Finance")
    APPROVER = "approver", _("Approver")
    AUDITOR = "auditor", _("Auditor")
    PARTNER = "partner", _("Partner")
    # 网格员: reports grid matters and checks off screening rosters in their village's grids.
    GRID_MEMBER = "grid_member", _("Grid member")
