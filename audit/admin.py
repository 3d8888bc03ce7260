from django.contrib import admin

from audit.models import ChangeSet, ObjectChange
from core.admin import ReadOnlyAdmin


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
