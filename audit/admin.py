from django.contrib import admin

from audit.models import ObjectChange


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    """Read-only: the change log is append-only everywhere, the admin included."""

    list_display = ["time", "user_name", "source", "action", "content_type", "object_repr"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["object_pk", "object_repr", "user_name", "=request_id"]
    list_select_related = ["content_type"]
    date_hierarchy = "time"
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
