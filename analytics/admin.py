"""Analytics in the admin, read-only: schemes and their KPIs are shown for reference (they are
written by the demo and `baotuan rank`'s fixtures), and snapshots are frozen (a correction is a
new version computed by `baotuan rank`)."""

from django.contrib import admin

from analytics.models import RankingEntry, RankingKPI, RankingScheme, RankingSnapshot
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
