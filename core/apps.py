from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: scope, change-logged and append-only bases, errors, API and import
    machinery shared by every domain app. It has no models of its own and imports no app."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Registers the deploy check on the personal-data keys.
        from core import pii  # noqa: F401
