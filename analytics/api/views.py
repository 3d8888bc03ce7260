"""Analytics API: the gap indicators (computed, unpaginated, for signed-in users) and the
rankings (read-only, public like the showcase: anonymous clients see published schemes and
their snapshots; signed-in users see unpublished ones too). Snapshots are computed by
`baotuan rank` (`analytics.services.compute_snapshot`), never written through the API."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from analytics import selectors
from analytics.api.filters import RankingSchemeFilterSet, RankingSnapshotFilterSet
from analytics.api.serializers import (
    IndicatorsQuerySerializer,
    RankingSchemeSerializer,
    RankingSnapshotDetailSerializer,
    RankingSnapshotSerializer,
)
from analytics.models import RankingEntry, RankingKPI, RankingScheme, RankingSnapshot
from core.api.base import ScopedReadOnlyViewSet, ScopedViewSetMixin
from core.api.handlers import api_error
from core.errors import Invalid
from registry.models import Region

__all__ = ["IndicatorsViewSet", "RankingSchemeViewSet", "RankingSnapshotViewSet"]


class IndicatorsViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Readable by whoever may read the division tree (every signed-in user)."""

    queryset = Region.objects.all()  # decides who may read (ScopedPermission)
    filter_backends: list = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]
    serializer_class = IndicatorsQuerySerializer

    @extend_schema(
        parameters=[IndicatorsQuerySerializer],
        responses=OpenApiTypes.OBJECT,
        summary="Gap indicators of a region in a year",
    )
    def list(self, request):
        """Weak villages, income distribution, Gini and Theil with decomposition, ratios,
        growth, and returns received with their effect on the gap (as `baotuan indicators`).

        Without `year`, the region's latest complete year. Every answer states its
        `coverage` ({"reported": N, "expected": M}: village-level units with statistics
        that year, of the region's) and whether the year is `complete`."""
        params = IndicatorsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            # Through the cache (keyed by the data version): a province is ~25,000 villages.
            data = selectors.cached(
                selectors.indicators,
                params.validated_data["region"],
                params.validated_data.get("year"),
            )
        except Invalid as exc:  # unknown region or no statistics: 400, keyed "detail"
            raise api_error(exc, field="detail") from None
        return Response(data)


def _visible_schemes(request):
    schemes = RankingScheme.objects.restrict(request.user, "view")
    if not request.user.is_authenticated:
        schemes = schemes.filter(is_published=True)
    return schemes


class RankingSchemeViewSet(ScopedReadOnlyViewSet):
    """Ranking schemes (published ones for anonymous clients), with their KPIs and weights."""

    queryset = RankingScheme.objects.prefetch_related(
        Prefetch("kpis", queryset=RankingKPI.objects.order_by("order", "pk"))
    )
    serializer_class = RankingSchemeSerializer
    filterset_class = RankingSchemeFilterSet
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.user.is_authenticated:
            queryset = queryset.filter(is_published=True)
        return queryset


@extend_schema(description="Frozen ranking snapshots; the detail lists every village's entry.")
class RankingSnapshotViewSet(ScopedReadOnlyViewSet):
    """Frozen snapshots of schemes by period; the detail lists every village's entry."""

    queryset = RankingSnapshot.objects.all()
    serializer_class = RankingSnapshotSerializer
    filterset_class = RankingSnapshotFilterSet
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        queryset = super().get_queryset().filter(scheme__in=_visible_schemes(self.request))
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "entries",
                    queryset=RankingEntry.objects.select_related("village").order_by(
                        "rank", "village_id"
                    ),
                )
            )
        return queryset.order_by("scheme_id", "period", "version")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RankingSnapshotDetailSerializer
        return RankingSnapshotSerializer
