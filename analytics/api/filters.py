"""Filters of the analytics API lists (django-filter)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from analytics.models import RankingScheme, RankingSnapshot, Scenario

__all__ = ["RankingSchemeFilterSet", "RankingSnapshotFilterSet", "ScenarioFilterSet"]


class RankingSchemeFilterSet(filters.FilterSet):
    class Meta:
        model = RankingScheme
        fields = ["alliance", "is_published"]


class RankingSnapshotFilterSet(filters.FilterSet):
    class Meta:
        model = RankingSnapshot
        fields = ["scheme", "period", "version"]


class ScenarioFilterSet(filters.FilterSet):
    class Meta:
        model = Scenario
        fields = ["region", "year", "source"]
