"""Admin pieces shared by the apps."""

from django.contrib import admin

__all__ = ["ReadOnlyAdmin"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every field read-only; no add, change or delete, for superusers too.

    For what only services write (ledger, distributions) or nobody edits (the change log).
    """

    show_full_result_count = False  # no COUNT(*) over millions of rows on every page

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
