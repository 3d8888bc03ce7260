"""Filters of the alliances API lists (django-filter) beyond plain field equality."""

from __future__ import annotations

from django.utils import timezone
from django_filters import rest_framework as filters

from alliances.models import Duty, Membership

__all__ = ["DutyFilterSet", "MembershipFilterSet"]


class MembershipFilterSet(filters.FilterSet):
    on = filters.DateFilter(method="filter_on", label="Members on this day")

    class Meta:
        model = Membership
        fields = ["alliance", "consortium", "village", "organisation", "role"]

    def filter_on(self, queryset, name, value):
        return queryset.members_on(value)


class DutyFilterSet(filters.FilterSet):
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue")

    class Meta:
        model = Duty
        fields = ["alliance", "decision", "owner_village", "owner_organisation", "status"]

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        return (
            queryset.overdue(today)
            if value
            else queryset.exclude(pk__in=queryset.overdue(today).values("pk"))
        )
