"""Filters of the change-log API."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from audit.models import ObjectChange

__all__ = ["ObjectChangeFilterSet"]


class ObjectChangeFilterSet(filters.FilterSet):
    user = filters.NumberFilter(field_name="changeset__user_id", label=_("User id"))
    source = filters.CharFilter(field_name="changeset__source", label=_("Source"))
    request_id = filters.UUIDFilter(field_name="changeset__request_id", label=_("Request id"))
    content_type = filters.CharFilter(
        method="filter_content_type",
        label=_("Model, as app_label.model"),
        validators=[RegexValidator(r"^\w+\.\w+$", _("Write the model as app_label.model."))],
    )
    object_pk = filters.CharFilter(label=_("Object id"))
    time = filters.IsoDateTimeFromToRangeFilter(
        field_name="changeset__time", label=_("Time range (time_after, time_before; ISO 8601)")
    )

    class Meta:
        model = ObjectChange
        fields = ["action"]

    def filter_content_type(self, queryset, name, value):
        app_label, model = value.lower().split(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
