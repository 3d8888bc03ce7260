from django.apps import AppConfig


class BaotuanConfig(AppConfig):
    """The project package: shared templates, static files, locale and management commands."""

    name = "baotuan"
    verbose_name = "Baotuan"
