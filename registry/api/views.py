"""Registry API: thin viewsets; scope, transactions and logging come from the base classes."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from core.api.base import ScopedModelViewSet
from core.scope import restrict
from registry.api import filters
from registry.api.serializers import (
    OrganisationSerializer,
    RegionSerializer,
    VillageSerializer,
    VillageStatSerializer,
    WeakVillageQuerySerializer,
    WeakVillageThresholdSerializer,
)
from registry.models import Organisation, Region, Village, VillageStat, WeakVillageThreshold

__all__ = [
    "OrganisationViewSet",
    "RegionViewSet",
    "VillageStatViewSet",
    "VillageViewSet",
    "WeakVillageThresholdViewSet",
]


class RegionViewSet(ScopedModelViewSet):
    """The division tree (province → city → county → township). Written by unscoped admins."""

    # GROUP BY drops Meta.ordering, hence the explicit order.
    queryset = Region.objects.annotate(children_count=Count("children")).order_by("code")
    serializer_class = RegionSerializer
    filterset_class = filters.RegionFilterSet
    lookup_field = "code"
    lookup_value_regex = "[0-9]{2,9}"


class VillageViewSet(ScopedModelViewSet):
    """Village-level units, with their township and county. Written by admins."""

    queryset = Village.objects.select_related("township", "county")
    serializer_class = VillageSerializer
    filterset_class = filters.VillageFilterSet
    lookup_field = "code"
    lookup_value_regex = "[0-9]{12}"


class VillageStatViewSet(ScopedModelViewSet):
    """Village-year statistics; clerks write their own villages', admins everyone's."""

    queryset = VillageStat.objects.select_related("village")
    serializer_class = VillageStatSerializer
    filterset_class = filters.VillageStatFilterSet
    lookup_value_regex = "[0-9]+"


class WeakVillageThresholdViewSet(ScopedModelViewSet):
    """Weak-village lines (薄弱村标准). Written by unscoped admins."""

    queryset = WeakVillageThreshold.objects.all()
    serializer_class = WeakVillageThresholdSerializer
    filterset_class = filters.WeakVillageThresholdFilterSet
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        parameters=[WeakVillageQuerySerializer],
        responses=VillageSerializer(many=True),
        summary="Weak villages in a year",
    )
    @action(detail=False, methods=["get"], filter_backends=[], serializer_class=VillageSerializer)
    def weak(self, request):
        """Villages below the line in force for them in `year`, optionally under `region`."""
        params = WeakVillageQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        villages = restrict(
            Village.objects.select_related("township", "county"), request.user, "view"
        ).weak_in(params.validated_data["year"])
        if region := params.validated_data.get("region"):
            villages = villages.in_region(region)
        page = self.paginate_queryset(villages)
        return self.get_paginated_response(VillageSerializer(page, many=True).data)


class OrganisationViewSet(ScopedModelViewSet):
    """强村公司, joint investment companies, enterprises, …; written by admins."""

    queryset = Organisation.objects.prefetch_related(
        Prefetch("villages", queryset=Village.objects.only("code"))
    )
    serializer_class = OrganisationSerializer
    filterset_class = filters.OrganisationFilterSet
    lookup_value_regex = "[0-9]+"
