from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    """积分制 (山塘积分, 善治积分): versioned rules, verified and published entries with
    appeals, balances and rankings, the points store."""

    name = "points"
    verbose_name = _("Points")
