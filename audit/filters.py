"""Filters of the change log, in one place: the page's (`ObjectChangeFilterSet`: by user name,
type, local days) and the API's (`ObjectChangeApiFilterSet`: by user id, source, ISO times).
They differ because a person picks from lists and days, a program passes ids and instants."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters

from audit.models import ObjectChange
from core.api.filters import IdFilter
from core.models import ChangeLoggedModel

__all__ = ["ObjectChangeApiFilterSet", "ObjectChangeFilterSet"]


def logged_content_types(request=None):
    """Content types of the models whose changes are logged (the choices of "object type")."""
    models = [m for m in apps.get_models() if issubclass(m, ChangeLoggedModel)]
    return ContentType.objects.filter(
        app_label__in={m._meta.app_label for m in models},
        model__in={m._meta.model_name for m in models},
    ).order_by("app_label", "model")


class ContentTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        return str(model._meta.verbose_name) if model is not None else obj.model


class ContentTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ContentTypeChoiceField


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the display zone (Asia/Shanghai), as an aware time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ObjectChangeFilterSet(django_filters.FilterSet):
    user = django_filters.CharFilter(
        field_name="changeset__user_name", lookup_expr="iexact", label=_("User name")
    )
    action = django_filters.ChoiceFilter(
        choices=ObjectChange.Action.choices, label=_("Action"), empty_label=_("Any action")
    )
    content_type = ContentTypeFilter(
        queryset=logged_content_types, label=_("Object type"), empty_label=_("Any type")
    )
    object_pk = django_filters.CharFilter(label=_("Object id"))
    request_id = django_filters.UUIDFilter(
        field_name="changeset__request_id", label=_("Request id")
    )
    since = django_filters.DateFilter(
        method="filter_since",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        method="filter_until",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ObjectChange
        fields = ["user", "action", "content_type", "object_pk", "request_id", "since", "until"]

    # Bounds on the raw timestamp keep the time index usable (a __date lookup would not).
    def filter_since(self, queryset, name, value):
        return queryset.filter(changeset__time__gte=_day_start(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(changeset__time__lt=_day_start(value + dt.timedelta(days=1)))


class ObjectChangeApiFilterSet(drf_filters.FilterSet):
    user = IdFilter(field_name="changeset__user_id", label=_("User id"))
    source = django_filters.CharFilter(field_name="changeset__source", label=_("Source"))
    request_id = django_filters.UUIDFilter(
        field_name="changeset__request_id", label=_("Request id")
    )
    content_type = django_filters.CharFilter(
        method="filter_content_type",
        label=_("Model, as app_label.model"),
        validators=[RegexValidator(r"^\w+\.\w+$", _("Write the model as app_label.model."))],
    )
    object_pk = django_filters.CharFilter(label=_("Object id"))
    time = django_filters.IsoDateTimeFromToRangeFilter(
        field_name="changeset__time", label=_("Time range (time_after, time_before; ISO 8601)")
    )

    class Meta:
        model = ObjectChange
        fields = ["action"]

    def filter_content_type(self, queryset, name, value):
        app_label, model = value.lower().split(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
