from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenturesConfig(AppConfig):
    name = "ventures"
    verbose_name = _("Ventures and distributions")

    def ready(self) -> None:
        # check_ledger reconciles every posted run with its entry; the ledger, a floor
        # below, never imports ventures.
        from ledger.checks import register_check
        from ventures.selectors import RUN_CHECKS

        for check in RUN_CHECKS:
            register_check(check)
