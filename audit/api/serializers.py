"""Serializers of the change-log API (read-only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from audit.models import ObjectChange

__all__ = ["ObjectChangeSerializer"]


class ObjectChangeSerializer(serializers.ModelSerializer):
    # Who and when come from the change set (one per request or command).
    time = serializers.DateTimeField(source="changeset.time", read_only=True)
    user = serializers.IntegerField(source="changeset.user_id", read_only=True, allow_null=True)
    user_name = serializers.CharField(source="changeset.user_name", read_only=True)
    source = serializers.CharField(source="changeset.source", read_only=True)
    request_id = serializers.UUIDField(source="changeset.request_id", read_only=True)
    path = serializers.CharField(source="changeset.path", read_only=True)
    ip = serializers.IPAddressField(source="changeset.ip", read_only=True, allow_null=True)
    content_type = serializers.SerializerMethodField(
        help_text=_("The changed object's model, as app_label.model (e.g. registry.villagestat).")
    )

    class Meta:
        model = ObjectChange
        fields = [
            "id",
            "time",
            "user",
            "user_name",
            "source",
            "request_id",
            "path",
            "ip",
            "action",
            "content_type",
            "object_pk",
            "object_repr",
            "prechange_data",
            "postchange_data",
        ]
        read_only_fields = fields

    def get_content_type(self, obj: ObjectChange) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"
