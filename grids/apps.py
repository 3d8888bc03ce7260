from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    """The villagers' layer: households and people (personal data sealed), grids across a
    border with a leader from each side, 党员联户, grid matters and joint screening."""

    name = "grids"
    verbose_name = _("Households and grids")
