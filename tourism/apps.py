from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TourismConfig(AppConfig):
    """Scenic villages (景区村庄): spots and their A-level grades, the scenic-village
    assessment, operators (农家乐, 民宿) and their associations, routes of a consortium, and
    monthly visitors and revenue."""

    name = "tourism"
    verbose_name = _("Scenic villages")
