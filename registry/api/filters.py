"""Filter sets of the registry API. Region filters are code-prefix matches."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from registry.models import Organisation, Region, Village, VillageStat, WeakVillageThreshold

__all__ = [
    "OrganisationFilterSet",
    "RegionFilterSet",
    "VillageFilterSet",
    "VillageStatFilterSet",
    "WeakVillageThresholdFilterSet",
]

code_validator = RegexValidator(r"^[0-9]{1,12}$", _("Enter digits of a statistical code."))


class CodePrefixFilter(filters.CharFilter):
    """Rows whose code starts with the given digits (a region and everything under it)."""

    def __init__(self, field_name: str, **kwargs):
        kwargs.setdefault("lookup_expr", "startswith")
        kwargs.setdefault("validators", [code_validator])
        super().__init__(field_name=field_name, **kwargs)


class CodeFilter(filters.CharFilter):
    """An exact statistical code; compared as text, so no query is spent on checking it."""

    def __init__(self, field_name: str, **kwargs):
        kwargs.setdefault("validators", [code_validator])
        super().__init__(field_name=field_name, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class RegionFilterSet(filters.FilterSet):
    parent = CodeFilter("parent_id", label=_("Parent region code"))
    under = CodePrefixFilter(
        "code", method="filter_under", label=_("Only regions below this region code")
    )

    class Meta:
        model = Region
        fields = ["level"]

    def filter_under(self, queryset, name, value):
        return queryset.under(value)


class VillageFilterSet(filters.FilterSet):
    region = CodePrefixFilter("code", label=_("Region code (prefix of the village code)"))
    q = filters.CharFilter(method="filter_q", label=_("Name, township name or code prefix"))
    weak_in = YearFilter(method="filter_weak_in", label=_("Weak in this year"))
    not_weak_in = YearFilter(
        method="filter_not_weak_in", label=_("With statistics and not weak in this year")
    )

    class Meta:
        model = Village
        fields = ["kind"]

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_weak_in(self, queryset, name, value):
        return queryset.weak_in(value)

    def filter_not_weak_in(self, queryset, name, value):
        return queryset.not_weak_in(value)


class VillageStatFilterSet(filters.FilterSet):
    village = CodeFilter("village_id", label=_("Village code"))
    region = CodePrefixFilter("village__code", label=_("Region code (prefix of the village code)"))
    year = YearFilter(label=_("Year"))

    class Meta:
        model = VillageStat
        fields = ["is_illustrative"]


class WeakVillageThresholdFilterSet(filters.FilterSet):
    region = CodeFilter("region_id", label=_("Region code"))
    in_force = YearFilter(method="filter_in_force", label=_("In force in this year"))

    class Meta:
        model = WeakVillageThreshold
        fields = ["rule"]

    def filter_in_force(self, queryset, name, value):
        return queryset.in_force(value)


class OrganisationFilterSet(filters.FilterSet):
    region = CodePrefixFilter("region__code", label=_("Region code (prefix)"))
    q = filters.CharFilter(field_name="name", lookup_expr="contains", label=_("Name contains"))

    class Meta:
        model = Organisation
        fields = ["kind", "is_illustrative"]
