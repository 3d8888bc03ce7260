"""Serializers of the change-log API (read-only)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from audit.models import ObjectChange

__all__ = ["ObjectChangeSerializer"]


class ObjectChangeSerializer(serializers.ModelSerializer):
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
