"""Filters of the projects API lists (django-filter)."""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters

from projects.forms import MAX_ID
from projects.models import Project, ProjectPartner

__all__ = ["ByProjectFilterSet", "ProjectFilterSet", "by_project"]


class ProjectFilterSet(filters.FilterSet):
    village = filters.CharFilter(method="filter_village", label="village code (lead or partner)")

    class Meta:
        model = Project
        fields = ["consortium", "status", "category", "is_illustrative", "venture", "village"]

    def filter_village(self, queryset, name, value):
        partner_of = ProjectPartner.objects.filter(village_id=value).values("project_id")
        return queryset.filter(Q(lead_village_id=value) | Q(pk__in=partner_of))


class ByProjectFilterSet(filters.FilterSet):
    # Bounded: a 20-digit id overflows the database's integers (400, not 500).
    project = filters.NumberFilter(field_name="project_id", min_value=1, max_value=MAX_ID)


def by_project(model_):
    return type(
        f"{model_.__name__}FilterSet",
        (ByProjectFilterSet,),
        {"Meta": type("Meta", (), {"model": model_, "fields": ["project"]})},
    )
