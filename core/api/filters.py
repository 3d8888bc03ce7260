"""Filters shared by the apps' API lists (django-filter)."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

__all__ = ["ID_MAX", "IdFilter"]

ID_MAX = 2**63 - 1  # the databases' largest integer key


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(filters.NumberFilter):
    """A row id: a whole number from 1 to ID_MAX. Anything else ("1.5", "-2.7e305", a
    20-digit number) answers 400 naming the filter, never a database overflow (500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)
