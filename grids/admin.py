"""The admin shows households and people masked and read-only: personal data is written
through the services (which check, seal and log it), never typed into the admin."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from grids.models import Grid, Household, Matter, MicroGrid, PersonalDataReveal, ScreeningTask


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ("village", "number", "group_name", "micro_grid")
    search_fields = ("number",)


@admin.register(Grid)
class GridAdmin(ReadOnlyAdmin):
    list_display = ("name", "village", "partner_village")


@admin.register(MicroGrid)
class MicroGridAdmin(ReadOnlyAdmin):
    list_display = ("name", "grid", "side")


@admin.register(Matter)
class MatterAdmin(ReadOnlyAdmin):
    list_display = ("grid", "category", "status", "level", "due_at")
    list_filter = ("status", "category")


@admin.register(ScreeningTask)
class ScreeningTaskAdmin(ReadOnlyAdmin):
    list_display = ("name", "grid", "held_on", "status")


@admin.register(PersonalDataReveal)
class RevealAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "village", "field", "reason")
