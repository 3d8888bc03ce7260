"""Analytics in the admin, read-only: schemes and their KPIs are shown for reference (they are
written by the demo and `baotuan rank`'s fixtures), and snapshots are frozen (a correction is a
new version computed by `baotuan rank`). Scenarios and optimiser runs are written on their
pages (`analytics.services`: scope and change log), so the admin only shows them."""

from django.contrib import admin

from analytics.models import (
    OptimiserRun,
    RankingEntry,
    RankingKPI,
    RankingScheme,
    RankingSnapshot,
    Scenario,
)
from core.admin import ReadOnlyAdmin


class RankingKPIInline(admin.TabularInline):
    model = RankingKPI
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RankingScheme)
class RankingSchemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "alliance", "is_published"]
    list_filter = ["is_published"]
    inlines = [RankingKPIInline]


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "period", "version", "computed_at"]
    list_filter = ["scheme"]


@admin.register(RankingEntry)
class RankingEntryAdmin(ReadOnlyAdmin):
    list_display = ["snapshot", "village", "rank", "score"]
    list_select_related = ["snapshot", "village"]


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "year", "source", "updated_at"]
    list_filter = ["source", "year"]
    list_select_related = ["region"]


@admin.register(OptimiserRun)
class OptimiserRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "region", "year", "budget_fen", "status", "queued", "created_at"]
    list_filter = ["status", "queued"]
    list_select_related = ["region"]
