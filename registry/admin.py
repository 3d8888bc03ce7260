"""Admin pages for the registry. Saves go through the models, so the change log records them;
non-superusers may change only rows their grants reach (core.scope.restrict)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from core.scope import may_write, restrict
from registry.models import (
    ImportJob,
    Organisation,
    Region,
    RegionGroup,
    RegionGroupMember,
    Village,
    VillageStat,
    WeakVillageThreshold,
)


class ScopedAdmin(admin.ModelAdmin):
    """Django's model permissions, narrowed to the user's scope for changes and deletes."""

    def _in_scope(self, request, obj, action: str) -> bool:
        if request.user.is_superuser or obj is None:
            return True
        return restrict(self.model.objects.filter(pk=obj.pk), request.user, action).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(
            request, obj, "change"
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(
            request, obj, "delete"
        )


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["=code", "name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]


class RegionGroupMemberInline(admin.TabularInline):
    model = RegionGroupMember
    raw_id_fields = ["region"]
    extra = 0


@admin.register(RegionGroup)
class RegionGroupAdmin(ScopedAdmin):
    """Region groups (e.g. 山区26县) are shipped data (registry/data/groups), loaded with the
    divisions; an admin may correct them here (change-logged)."""

    list_display = ["code", "name", "requires_members_for_pairing"]
    inlines = [RegionGroupMemberInline]


@admin.register(Village)
class VillageAdmin(ScopedAdmin):
    list_display = ["code", "short_name", "name", "kind", "township", "county"]
    list_filter = ["kind"]
    search_fields = ["^code", "short_name", "name"]
    raw_id_fields = ["township", "county"]
    list_select_related = ["township", "county"]
    show_full_result_count = False


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "region", "is_illustrative"]
    list_filter = ["kind", "is_illustrative"]
    search_fields = ["name"]
    raw_id_fields = ["region", "villages"]
    list_select_related = ["region"]


@admin.register(VillageStat)
class VillageStatAdmin(ScopedAdmin):
    list_display = ["village", "year", "total_income", "operating_income", "recurring_income",
                    "is_illustrative"]
    list_filter = ["year", "is_illustrative"]
    search_fields = ["^village__code", "village__short_name"]
    raw_id_fields = ["village"]
    list_select_related = ["village"]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not may_write(
            request.user, VillageStat, village=obj.village
        ):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


@admin.register(WeakVillageThreshold)
class WeakVillageThresholdAdmin(ScopedAdmin):
    list_display = ["name", "region", "valid_from", "valid_to", "total_income_below",
                    "operating_income_below", "recurring_income_below", "rule"]
    list_filter = ["rule"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Import jobs are records of what happened: viewable, not editable."""

    list_display = ["created_at", "created_by", "file_name", "status", "rows_done", "rows_total"]
    list_filter = ["status", "dry_run"]
    list_select_related = ["created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
