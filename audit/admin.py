from django.contrib import admin

from audit.models import ChangeSet, ObjectChange


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: the change log is append-only everywhere, the admin included."""

    show_full_result_count = False  # no COUNT(*) over millions of rows on every page

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ObjectChange)
class ObjectChangeAdmin(ReadOnlyAdmin):
    list_display = ["pk", "changeset", "action", "content_type", "object_repr"]
    list_filter = ["action", "changeset__source", "content_type"]
    search_fields = ["object_pk", "object_repr", "changeset__user_name", "=changeset__request_id"]
    list_select_related = ["content_type", "changeset"]


@admin.register(ChangeSet)
class ChangeSetAdmin(ReadOnlyAdmin):
    list_display = ["time", "user_name", "source", "path", "ip"]
    list_filter = ["source"]
    search_fields = ["user_name", "=request_id", "path"]
    date_hierarchy = "time"
